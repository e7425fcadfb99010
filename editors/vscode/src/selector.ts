// The documents preflight checks. package.json's activation events name the
// same languages (a test keeps them together).

/** Language ids of checked documents. */
export const LANGUAGES: readonly string[] = [
  'sql',
  'python',
  'typescript',
  'typescriptreact',
  'javascript',
  'javascriptreact',
  'yaml',
  // The GitHub Actions extension gives workflow files this id instead of yaml.
  'github-actions-workflow',
  'dotenv',
];

/** File patterns for what has no language id of its own in every VS Code version. */
export const PATTERNS: readonly string[] = [
  '**/.env',
  '**/.env.*',
  '**/*.env',
  '**/env.example',
  '**/preflight.toml',
];

export interface Filter {
  scheme: string;
  language?: string;
  pattern?: string;
}

export const DOCUMENT_SELECTOR: readonly Filter[] = [
  ...LANGUAGES.flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]),
  ...PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
];
