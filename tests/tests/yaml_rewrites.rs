//! Every YAML fix, checked: the edited file parses (with yaml-rust2, a parser
//! independent of preflight's tree-sitter model) to the same data apart from
//! the intended change, and checking it again no longer reports the rule
//! where the fix applied. The expected change is written as the paths that
//! differ: `+` added, `-` removed, `~` changed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use preflight::config::Config;
use preflight::engine::Analysis;
use preflight::engine::workspace::Workspace;
use preflight::finding::Finding;
use preflight::fixes::apply::apply_edits;
use preflight::text::{Document, Language};
use yaml_rust2::{Yaml, YamlLoader};

struct Case {
    /// Where the file is, relative to a fresh directory (recognition goes by
    /// path: `.github/workflows/`, `.gitlab-ci.yml`).
    path: &'static str,
    text: &'static str,
    rule: &'static str,
    /// The data paths the fix changes.
    changes: &'static [&'static str],
    /// Other files of the repository and their text (`migrations/` for
    /// `no-migration-lint`, the settings a deploy must satisfy).
    beside: &'static [(&'static str, &'static str)],
}

const WORKFLOW: &str = "name: CI
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest  # the tests
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: |
          npm ci
          npm test || true
      - name: Types
        continue-on-error: true
        run: npx tsc --noEmit
      - uses: aquasecurity/trivy-action@dc5a429b52fcf669ce959baa2c2dd26090d2a6c4 # 0.32.0
        with:
          image-ref: 'app:${{ github.sha }}'
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: git push --force origin release
      - run: ./deploy.sh production
";

const GITLAB: &str = "stages: [test, deploy]
unit:
  stage: test
  script:
    - pytest
  allow_failure: true
deploy:
  stage: deploy
  script:
    - ./deploy.sh production
";

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 3
  strategy:
    type: RollingUpdate
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels:
        app: api
        tier: \"web\"
    spec:
      containers:
        - name: api  # serves HTTP
          image: ghcr.io/acme/api:1.2.3
          ports:
            - containerPort: 8000
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
";

const CASES: &[Case] = &[
    Case {
        path: ".github/workflows/ci.yml",
        text: WORKFLOW,
        rule: "test-failure-masked",
        changes: &["~jobs.test.steps[1].run"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: WORKFLOW,
        rule: "test-failure-masked",
        changes: &["-jobs.test.steps[2].continue-on-error"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: WORKFLOW,
        rule: "security-scan-not-gating",
        changes: &["+jobs.test.steps[3].with.exit-code"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: WORKFLOW,
        rule: "deploy-without-needs",
        changes: &["+jobs.deploy.needs"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: WORKFLOW,
        rule: "prod-deploy-without-approval",
        changes: &["+jobs.deploy.environment"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: WORKFLOW,
        rule: "force-push",
        changes: &["~jobs.deploy.steps[0].run"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: WORKFLOW,
        rule: "no-migration-lint",
        changes: &["+jobs.migration-lint"],
        beside: &[("migrations/0001_init.sql", "")],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: make test\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make lint\n",
        rule: "excessive-permissions",
        changes: &["+permissions"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: "on: pull_request_target\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n          persist-credentials: false\n      - run: npm ci\n",
        rule: "pr-target-checkout-head",
        changes: &["-jobs.test.steps[0].with.ref"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: "on: push\npermissions: {}\njobs:\n  bump:\n    runs-on: ubuntu-latest\n    steps:\n      - run: git commit -am \"bump [skip ci]\"\n",
        rule: "skip-ci-marker",
        changes: &["~jobs.bump.steps[0].run"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/cd.yml",
        text: "on: push\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: make test}]\n  deploy-staging:\n    needs: test\n    environment: staging\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./deploy.sh staging\n  deploy-production:\n    needs: [test]\n    environment: production\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./deploy.sh production\n",
        rule: "prod-before-staging",
        changes: &["+jobs.deploy-production.needs[1]"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: "on: pull_request\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker compose run --rm api sh -c \"pytest -k 'not slow'\" || exit 0\n",
        rule: "test-failure-masked",
        changes: &["~jobs.test.steps[0].run"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/ci.yml",
        text: "on: pull_request\npermissions: {}\njobs:\n  docs:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'bash -c \"echo ''$(git push -f origin gh-pages)''\"'\n",
        rule: "force-push",
        changes: &["~jobs.docs.steps[0].run"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/greet.yml",
        text: "on: pull_request_target\npermissions: {}\njobs:\n  greet:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Greet\n        run: |\n          echo \"Thanks for: ${{ github.event.pull_request.title }}\"\n          printf '%s\\n' ${{ github.event.pull_request.title }} > title.txt\n          echo 'raw: ${{ github.event.pull_request.title }}'\n",
        rule: "template-injection",
        changes: &["+jobs.greet.steps[0].env", "~jobs.greet.steps[0].run"],
        beside: &[],
    },
    Case {
        path: ".github/workflows/greet.yml",
        text: "on: issues\npermissions: {}\njobs:\n  triage:\n    runs-on: ubuntu-latest\n    steps:\n      - env:\n          GH_TOKEN: ${{ github.token }}\n        run: \"gh issue comment 1 --body \\\"Seen: ${{ github.event.issue.title }}\\\"\"  # reply\n",
        rule: "template-injection",
        changes: &[
            "+jobs.triage.steps[0].env.ISSUE_TITLE",
            "~jobs.triage.steps[0].run",
        ],
        beside: &[],
    },
    Case {
        path: ".github/workflows/cd.yml",
        text: "on: {push: {branches: [main]}}\npermissions: {}\njobs:\n  test:\n    uses: ./.github/workflows/test.yml\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n    with: {environment: staging}\n    secrets: inherit\n",
        rule: "deploy-without-needs",
        changes: &["+jobs.deploy.needs"],
        beside: &[
            (".github/workflows/test.yml", ""),
            (".github/workflows/deploy.yml", ""),
        ],
    },
    Case {
        path: ".gitlab-ci.yml",
        text: GITLAB,
        rule: "test-failure-masked",
        changes: &["-unit.allow_failure"],
        beside: &[],
    },
    Case {
        path: ".gitlab-ci.yml",
        text: GITLAB,
        rule: "prod-deploy-without-approval",
        changes: &["+deploy.environment"],
        beside: &[],
    },
    Case {
        path: ".gitlab-ci.yml",
        text: "unit:\n  script: [pytest]\n  rules:\n    - if: $CI_MERGE_REQUEST_IID\n      allow_failure: true  # flaky on MRs\n      when: on_success\n    - when: on_success\n",
        rule: "test-failure-masked",
        changes: &["-unit.rules[0].allow_failure"],
        beside: &[],
    },
    Case {
        path: "k8s/api.yaml",
        text: DEPLOYMENT,
        rule: "missing-readiness-probe",
        changes: &["+Deployment/api:spec.template.spec.containers[0].readinessProbe"],
        beside: &[],
    },
    Case {
        path: "k8s/api.yaml",
        text: DEPLOYMENT,
        rule: "missing-liveness-probe",
        changes: &["+Deployment/api:spec.template.spec.containers[0].livenessProbe"],
        beside: &[],
    },
    Case {
        path: "k8s/api.yaml",
        text: DEPLOYMENT,
        rule: "max-unavailable-not-zero",
        changes: &["+Deployment/api:spec.strategy.rollingUpdate"],
        beside: &[],
    },
    Case {
        path: "k8s/api.yaml",
        text: DEPLOYMENT,
        rule: "no-graceful-termination",
        changes: &[
            "+Deployment/api:spec.template.spec.containers[0].lifecycle",
            "+Deployment/api:spec.template.spec.terminationGracePeriodSeconds",
        ],
        beside: &[],
    },
    Case {
        path: "k8s/api.yaml",
        text: DEPLOYMENT,
        rule: "no-pdb",
        changes: &["+PodDisruptionBudget/api:"],
        beside: &[],
    },
    Case {
        path: "k8s/api.yaml",
        text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 1\n  strategy:\n    type: Recreate\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers:\n        - name: api\n          ports: [{containerPort: 80}]\n          readinessProbe: {tcpSocket: {port: 8080}}\n---\nkind: Service\napiVersion: v1\nspec: {selector: {app: api}}\n",
        rule: "not-rolling-update",
        changes: &["~Deployment/api:spec.strategy.type"],
        beside: &[],
    },
    Case {
        path: "k8s/api.yaml",
        text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: api\n          ports: [{containerPort: 80}]\n          readinessProbe: {tcpSocket: {port: 8080}}\n",
        rule: "probe-misconfigured",
        changes: &["~spec.template.spec.containers[0].readinessProbe.tcpSocket.port"],
        beside: &[],
    },
    Case {
        path: "k8s/api.yaml",
        text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: api\n",
        rule: "single-replica",
        changes: &["~spec.replicas"],
        beside: &[],
    },
    Case {
        path: "k8s/api.yaml",
        text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.0\n          env:\n            - name: DATABASE_URL  # from the secret\n              valueFrom:\n                secretKeyRef: {name: api-secrets, key: url}\n",
        rule: "required-setting-not-provided-to-deploy",
        changes: &["+spec.template.spec.containers[0].env[1]"],
        beside: &[("app/config.py", SETTINGS)],
    },
    Case {
        path: ".github/workflows/deploy.yml",
        text: "on:\n  push:\n    tags: ['v*']\npermissions: {}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    env:\n      DATABASE_URL: ${{ secrets.DATABASE_URL }}\n    steps:\n      - run: ./run-migrations.sh\n",
        rule: "required-setting-not-provided-to-deploy",
        changes: &["+jobs.deploy.env.SECRET_KEY"],
        beside: &[("app/config.py", SETTINGS)],
    },
    Case {
        path: "docker-compose.yml",
        text: "services:\n  web:\n    build: .\n    environment:\n      - DATABASE_URL=postgres://db/app\n",
        rule: "required-setting-not-provided-to-deploy",
        changes: &["+services.web.environment[1]"],
        beside: &[("app/config.py", SETTINGS)],
    },
    Case {
        path: "compose.yaml",
        text: "services:\n  web:\n    build: .\n    environment:\n      DATABASE_URL: postgres://db/app  # local\n",
        rule: "required-setting-not-provided-to-deploy",
        changes: &["+services.web.environment.SECRET_KEY"],
        beside: &[("app/config.py", SETTINGS)],
    },
];

const SETTINGS: &str = "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    database_url: str\n    secret_key: str\n    debug: bool = False\n";

/// A fresh directory holding `case`'s files; removed on drop.
struct Repo(PathBuf);

impl Repo {
    fn new(n: usize, case: &Case) -> Self {
        let dir =
            std::env::temp_dir().join(format!("preflight-yaml-fix-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (file, text) in case.beside.iter().chain([&(case.path, case.text)]) {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        Repo(dir)
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn findings(path: &Path, text: &str, rule: &str, workspace: &Arc<Workspace>) -> Vec<Finding> {
    let document = Document::new(text, 0, Language::Yaml);
    Analysis::new(Some(path.to_path_buf()), document)
        .with_workspace(Arc::clone(workspace))
        .findings(&Config::default())
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

/// The paths at which two YAML values differ.
fn diff(before: &Yaml, after: &Yaml, at: String, out: &mut Vec<String>) {
    match (before, after) {
        (Yaml::Hash(a), Yaml::Hash(b)) => {
            for (key, value) in a {
                let path = join(&at, key);
                match b.get(key) {
                    Some(other) => diff(value, other, path, out),
                    None => out.push(format!("-{path}")),
                }
            }
            for key in b.keys().filter(|k| !a.contains_key(k)) {
                out.push(format!("+{}", join(&at, key)));
            }
        }
        (Yaml::Array(a), Yaml::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(x, y, format!("{at}[{i}]"), out);
            }
            for i in b.len()..a.len() {
                out.push(format!("-{at}[{i}]"));
            }
            for i in a.len()..b.len() {
                out.push(format!("+{at}[{i}]"));
            }
        }
        (a, b) if a != b => out.push(format!("~{at}")),
        _ => {}
    }
}

fn join(at: &str, key: &Yaml) -> String {
    let key = match key {
        Yaml::String(s) => s.clone(),
        other => format!("{other:?}"),
    };
    if at.is_empty() || at.ends_with(':') {
        format!("{at}{key}")
    } else {
        format!("{at}.{key}")
    }
}

/// A document's name in a stream: `Kind/name` for a Kubernetes object (so an
/// inserted document does not shift the others), else its position.
fn label(doc: &Yaml, i: usize) -> String {
    match (doc["kind"].as_str(), doc["metadata"]["name"].as_str()) {
        (Some(kind), Some(name)) => format!("{kind}/{name}:"),
        _ => format!("[{i}]"),
    }
}

/// The differences between two streams; documents are named by [`label`]
/// when there are several.
fn changes(before: &str, after: &str) -> Vec<String> {
    let before = YamlLoader::load_from_str(before).expect("the original parses");
    let after = YamlLoader::load_from_str(after)
        .unwrap_or_else(|e| panic!("the fixed file parses: {e}\n{after}"));
    let mut out = Vec::new();
    if before.len() == 1 && after.len() == 1 {
        diff(&before[0], &after[0], String::new(), &mut out);
    } else {
        let named = |docs: &[Yaml]| -> Vec<(String, Yaml)> {
            docs.iter()
                .enumerate()
                .map(|(i, d)| (label(d, i), d.clone()))
                .collect()
        };
        let (before, after) = (named(&before), named(&after));
        for (name, doc) in &before {
            match after.iter().find(|(n, _)| n == name) {
                Some((_, other)) => diff(doc, other, name.clone(), &mut out),
                None => out.push(format!("-{name}")),
            }
        }
        for (name, _) in after
            .iter()
            .filter(|(n, _)| !before.iter().any(|(b, _)| b == n))
        {
            out.push(format!("+{name}"));
        }
    }
    out.sort();
    out
}

#[test]
fn every_yaml_fix_changes_only_what_it_means_to_and_clears_its_rule() {
    let mut failures = Vec::new();
    for (n, case) in CASES.iter().enumerate() {
        let repo = Repo::new(n, case);
        let path = repo.0.join(case.path);
        let workspace = Arc::new(Workspace::scan(std::slice::from_ref(&repo.0)));
        let found = findings(&path, case.text, case.rule, &workspace);
        // The case's fix: the one whose change is the expected one.
        let mut matched = false;
        let mut seen = Vec::new();
        for finding in &found {
            for fix in &finding.fixes {
                let after = apply_edits(case.text, fix.edits.iter());
                let changed = changes(case.text, &after);
                let mut expected: Vec<String> =
                    case.changes.iter().map(|s| s.to_string()).collect();
                expected.sort();
                if changed != expected {
                    seen.push(changed);
                    continue;
                }
                matched = true;
                let again = findings(&path, &after, case.rule, &workspace);
                // Gone where the fix applied (the rule may still judge what
                // the fix brought in, such as the staging job now needed).
                let cleared = !again.iter().any(|f| f.message == finding.message);
                if !cleared {
                    failures.push(format!(
                        "{} `{}`: still reported after the fix:\n{after}",
                        case.path, case.rule
                    ));
                }
            }
        }
        if !matched {
            failures.push(format!(
                "{} `{}`: no fix changes exactly {:?}; fixes changed {seen:?} ({} findings)",
                case.path,
                case.rule,
                case.changes,
                found.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The differ itself must see changes, or the test above could pass vacuously.
#[test]
fn the_differ_names_added_removed_and_changed_paths() {
    let before = "a: {b: 1, c: [1, 2]}\nd: x\n";
    let after = "a: {b: 2, c: [1]}\ne: y\n";
    assert_eq!(changes(before, after), ["+e", "-a.c[1]", "-d", "~a.b"]);
}
