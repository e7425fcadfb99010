//! What the commands of a CI script do, read from their words: tests,
//! scanners, deploys, migration linters, image builds and pushes. One place
//! for this knowledge, so every rule (GitHub and GitLab alike) agrees on what
//! a test or a deploy is.

use crate::syntax::shell::Command;

/// Runners that put a tool after them (`npx jest`, `poetry run pytest`).
fn tool_argv(command: &Command) -> Vec<&str> {
    let mut words: Vec<&str> = command.argv().iter().map(|w| w.text.as_str()).collect();
    loop {
        let skip = match words.as_slice() {
            ["npx" | "pnpx" | "bunx" | "pipx", ..] => 1,
            [
                "poetry" | "uv" | "pipenv" | "pdm" | "hatch" | "rye",
                "run",
                ..,
            ] => 2,
            ["bundle", "exec", ..] => 2,
            ["python" | "python3", "-m", ..] => 2,
            ["pnpm" | "yarn", "exec", ..] => 2,
            ["docker", "compose" | "run" | "exec", ..] | ["docker-compose", "run" | "exec", ..] => {
                // `docker compose run --rm api pytest`: the service name and
                // options come first.
                let after = words.iter().skip(2).position(|w| !w.starts_with('-'));
                after.map_or(words.len(), |i| i + 3).min(words.len())
            }
            _ => 0,
        };
        if skip == 0 || skip >= words.len() {
            break;
        }
        words.drain(..skip);
    }
    if let Some(first) = words.first_mut() {
        *first = first.rsplit('/').next().unwrap_or(first);
    }
    words
}

/// A test, lint or type-check command whose failure should fail the build.
pub fn is_test(command: &Command) -> bool {
    let argv = tool_argv(command);
    let script_names = |name: &str| {
        let name = name.to_ascii_lowercase();
        [
            "test",
            "lint",
            "check",
            "typecheck",
            "type-check",
            "e2e",
            "spec",
            "verify",
        ]
        .iter()
        .any(|t| {
            name == *t || name.starts_with(&format!("{t}:")) || name.starts_with(&format!("{t}-"))
        })
    };
    match argv.as_slice() {
        [
            "pytest" | "py.test" | "tox" | "nox" | "jest" | "vitest" | "mocha" | "ava" | "mypy"
            | "pyright" | "ruff" | "flake8" | "pylint" | "eslint" | "tsc" | "rspec" | "phpunit"
            | "unittest" | "nosetests" | "playwright" | "cypress" | "golangci-lint" | "shellcheck"
            | "hadolint" | "ctest" | "squawk",
            ..,
        ] => true,
        ["npm" | "pnpm" | "yarn" | "bun", "test" | "t", ..] => true,
        ["npm" | "pnpm" | "yarn" | "bun", "run", script, ..] => script_names(script),
        ["yarn" | "pnpm", script, ..] => script_names(script),
        ["go" | "cargo", "test" | "vet" | "clippy" | "nextest", ..] => true,
        ["dotnet" | "swift" | "mix" | "deno", "test", ..] => true,
        ["make" | "just" | "task", target, ..] => script_names(target),
        ["mvn" | "mvnw" | "gradle" | "gradlew", rest @ ..] => rest
            .iter()
            .any(|w| matches!(*w, "test" | "verify" | "check")),
        ["rake" | "rails", "test" | "spec", ..] => true,
        ["black" | "isort", rest @ ..] => rest.contains(&"--check"),
        ["preflight", "check", ..] => true,
        _ => false,
    }
}

/// A security scanner: dependency audits and image or file scanners.
pub fn is_scanner(command: &Command) -> bool {
    let argv = tool_argv(command);
    matches!(
        argv.as_slice(),
        [
            "pip-audit"
                | "safety"
                | "trivy"
                | "grype"
                | "snyk"
                | "osv-scanner"
                | "govulncheck"
                | "bandit"
                | "semgrep"
                | "gitleaks"
                | "checkov"
                | "tfsec",
            ..,
        ] | ["npm" | "yarn" | "pnpm" | "bun", "audit", ..]
            | ["cargo", "audit" | "deny", ..]
            | ["docker", "scout", ..]
    )
}

/// An image scanner (run between an image build and its push).
pub fn is_image_scanner(command: &Command) -> bool {
    let argv = tool_argv(command);
    match argv.as_slice() {
        ["trivy", sub, ..] => matches!(*sub, "image" | "i") || !sub.starts_with(['f', 'r', 'c']),
        ["grype", ..] => true,
        ["snyk", "container", ..] => true,
        ["docker", "scout", ..] => true,
        _ => false,
    }
}

/// Why a scanner that runs cannot fail the build on its own, if it cannot:
/// Trivy exits 0 on findings unless given a non-zero `--exit-code`; Grype
/// unless given `--fail-on`.
pub fn scanner_never_fails(command: &Command) -> Option<&'static str> {
    let argv = tool_argv(command);
    let value_of = |flag: &str| {
        argv.iter().enumerate().find_map(|(i, w)| {
            w.strip_prefix(flag)
                .and_then(|rest| rest.strip_prefix('='))
                .or_else(|| (*w == flag).then(|| argv.get(i + 1).copied()).flatten())
        })
    };
    match argv.first() {
        Some(&"trivy") => match value_of("--exit-code") {
            None => Some(
                "Trivy exits 0 when it finds vulnerabilities unless it is given `--exit-code 1`",
            ),
            Some("0") => Some("`--exit-code 0` makes Trivy succeed whatever it finds"),
            Some(_) => None,
        },
        Some(&"grype") if value_of("--fail-on").is_none() && value_of("-f").is_none() => {
            Some("Grype exits 0 when it finds vulnerabilities unless it is given `--fail-on`")
        }
        _ => None,
    }
}

/// A command that always succeeds: what `||` puts after a command to hide
/// its failure.
pub fn always_succeeds(command: &Command) -> bool {
    let argv: Vec<&str> = command.argv().iter().map(|w| w.text.as_str()).collect();
    matches!(
        argv.as_slice(),
        ["true" | ":" | "/bin/true" | "echo" | "printf", ..] | ["exit", "0"] | ["exit"]
    )
}

/// A command that deploys or releases.
pub fn is_deploy(command: &Command) -> bool {
    let argv = tool_argv(command);
    match argv.as_slice() {
        [
            "kubectl" | "oc",
            "apply" | "rollout" | "replace" | "create",
            ..,
        ] => true,
        ["kubectl" | "oc", "set", "image", ..] => true,
        ["helm", "upgrade" | "install", ..] | ["helmfile", "apply" | "sync", ..] => true,
        [
            "fly" | "flyctl" | "fastapi" | "vercel" | "netlify" | "serverless" | "sls" | "eb"
            | "cdk" | "wrangler" | "firebase" | "railway",
            "deploy" | "up" | "publish",
            ..,
        ] => true,
        ["vercel", rest @ ..] => rest.contains(&"--prod"),
        ["gcloud", rest @ ..] => rest.contains(&"deploy"),
        ["aws", "ecs", "update-service", ..] | ["aws", "deploy", ..] => true,
        ["terraform" | "tofu" | "terragrunt", "apply", ..] | ["pulumi", "up", ..] => true,
        ["ansible-playbook", ..] | ["kustomize", "build", ..] | ["argocd", "app", "sync", ..] => {
            true
        }
        ["heroku", "container:release" | "releases:promote", ..] => true,
        ["cap", _, "deploy", ..] | ["kamal", "deploy", ..] => true,
        ["npm" | "pnpm" | "yarn", "publish", ..] | ["cargo", "publish", ..] => true,
        ["twine", "upload", ..] | ["gem", "push", ..] => true,
        [script, ..] => {
            let name = script.trim_end_matches(".sh");
            name.contains("deploy") || name.contains("release")
        }
        _ => false,
    }
}

/// Actions that deploy (`uses:` without its `@ref`).
pub fn is_deploy_action(action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    action.contains("deploy")
        || action.contains("release")
        || action.contains("publish")
        || action.starts_with("superfly/flyctl-actions")
        || action.starts_with("azure/k8s-")
        || action.starts_with("azure/webapps")
        || action.starts_with("pulumi/actions")
}

/// A migration linter, or a check that migrations match the models.
pub fn is_migration_lint(command: &Command) -> bool {
    let argv = tool_argv(command);
    let has = |w: &str| argv.contains(&w);
    match argv.as_slice() {
        ["squawk", ..] => true,
        ["preflight", "check", ..] => true,
        ["alembic", "check", ..] => true,
        ["atlas", "migrate", "lint", ..] => true,
        ["prisma", "migrate", "diff", ..] => has("--exit-code"),
        [manage, "makemigrations", ..]
            if manage.ends_with("manage.py") || *manage == "django-admin" =>
        {
            has("--check")
        }
        ["python" | "python3", manage, "makemigrations", ..] if manage.ends_with("manage.py") => {
            has("--check")
        }
        _ => false,
    }
}

/// Actions that lint migrations.
pub fn is_migration_lint_action(action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    action.contains("squawk") || action.contains("atlas-action") || action.contains("preflight")
}

/// A smoke test against a deployed environment.
pub fn is_smoke_test(command: &Command) -> bool {
    let argv = tool_argv(command);
    let words = || argv.iter();
    match argv.first() {
        Some(&"curl") => words()
            .any(|w| *w == "--fail" || *w == "-f" || w.starts_with("-f") || w.contains("--fail")),
        Some(&"wget") | Some(&"k6") | Some(&"playwright") | Some(&"newman") => true,
        _ => words().any(|w| w.contains("smoke") || w.contains("/health")),
    }
}

/// `docker build` and friends: what makes an image.
pub fn is_image_build(command: &Command) -> bool {
    let argv = tool_argv(command);
    matches!(
        argv.as_slice(),
        ["docker" | "podman", "build", ..]
            | ["docker", "buildx", "build", ..]
            | ["buildah", "bud" | "build", ..]
    )
}

/// `docker push`, or a build that pushes (`docker buildx build --push`).
pub fn is_image_push(command: &Command) -> bool {
    let argv = tool_argv(command);
    match argv.as_slice() {
        ["docker" | "podman" | "buildah", "push", ..] => true,
        ["docker", "buildx", "build", rest @ ..] => rest.contains(&"--push"),
        ["docker", "compose", "push", ..] => true,
        _ => false,
    }
}

/// Image references a command builds, pushes or deploys (`-t app:latest`,
/// `docker push app:1.2`, `kubectl set image deploy/x app=app:latest`).
pub fn image_refs(command: &Command) -> Vec<&str> {
    let argv = tool_argv(command);
    let mut refs = Vec::new();
    match argv.as_slice() {
        ["docker" | "podman", "build", rest @ ..] | ["docker", "buildx", "build", rest @ ..] => {
            for (i, w) in rest.iter().enumerate() {
                if let Some(tag) = w.strip_prefix("--tag=").or_else(|| w.strip_prefix("-t=")) {
                    refs.push(tag);
                } else if matches!(*w, "-t" | "--tag") {
                    refs.extend(rest.get(i + 1));
                }
            }
        }
        ["docker" | "podman", "push", rest @ ..] => {
            refs.extend(rest.iter().find(|w| !w.starts_with('-')));
        }
        ["kubectl", "set", "image", rest @ ..] => {
            refs.extend(
                rest.iter()
                    .filter_map(|w| w.split_once('=').map(|(_, image)| image)),
            );
        }
        _ => {}
    }
    refs
}

/// Whether an image reference names a mutable tag only: `:latest`, no tag,
/// or a branch name; a commit SHA, a version or a digest is immutable.
pub fn is_mutable_image_ref(image: &str) -> bool {
    if image.contains("@sha256:") {
        return false;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    let Some((_, tag)) = last.split_once(':') else {
        return !image.contains('$');
    };
    let tag_lower = tag.to_ascii_lowercase();
    if tag_lower.contains("sha")
        || tag_lower.contains("commit")
        || tag_lower.contains("version")
        || tag_lower.contains("tag")
        || tag_lower.contains("run_id")
        || tag_lower.contains("run_number")
        || tag_lower.contains("pipeline_id")
    {
        return false;
    }
    matches!(
        tag_lower.as_str(),
        "latest" | "main" | "master" | "develop" | "dev" | "stable" | "edge" | "nightly"
    ) || tag_lower.contains("ref_name")
        || tag_lower.contains("branch")
        || tag_lower.contains("github.ref")
}

/// Words of a name: `deploy-prod` and `DeployProduction` both give `deploy`
/// and `prod...`, lower-cased.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shell::Script;

    fn first(text: &str) -> Command {
        Script::parse(text).commands.remove(0)
    }

    #[test]
    fn classifies_common_commands() {
        assert!(is_test(&first("poetry run pytest -x")));
        assert!(is_test(&first("npm run test:unit")));
        assert!(is_test(&first("CI=true yarn test")));
        assert!(is_test(&first("./node_modules/.bin/jest")));
        assert!(!is_test(&first("npm ci")));
        assert!(is_scanner(&first("npm audit --audit-level=high")));
        assert!(scanner_never_fails(&first("trivy image app:1")).is_some());
        assert!(scanner_never_fails(&first("trivy image --exit-code 1 app:1")).is_none());
        assert!(scanner_never_fails(&first("trivy image --exit-code=0 app:1")).is_some());
        assert!(is_deploy(&first("kubectl apply -f k8s/")));
        assert!(is_deploy(&first("./scripts/deploy.sh prod")));
        assert!(!is_deploy(&first("npm run build")));
        assert!(is_migration_lint(&first(
            "python manage.py makemigrations --check --dry-run"
        )));
        assert!(is_migration_lint(&first("preflight check migrations/")));
        assert!(always_succeeds(&first("exit 0")));
        assert_eq!(
            image_refs(&first("docker build -t app:latest .")),
            ["app:latest"]
        );
        assert!(is_mutable_image_ref("ghcr.io/o/app:latest"));
        assert!(is_mutable_image_ref("app"));
        assert!(!is_mutable_image_ref("app:${{ github.sha }}"));
        assert!(!is_mutable_image_ref("app:$CI_COMMIT_SHORT_SHA"));
        assert_eq!(name_words("deployProd-eu_1"), ["deploy", "prod", "eu", "1"]);
    }
}
