-- preflight (`preflight lsp`): production-deploy checks for migrations.
-- Neovim 0.11+: put the folder holding this `lsp/` directory on 'runtimepath'
-- (or copy this file to ~/.config/nvim/lsp/preflight.lua), then
--   vim.lsp.enable('preflight')
-- Settings (all optional) go to the server through `settings.preflight`:
-- postgresVersion, select, ignore, severity, assumeInTransaction, trace.

---@type vim.lsp.Config
return {
  cmd = { 'preflight', 'lsp' },
  filetypes = { 'sql', 'python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'yaml' },
  root_markers = { 'preflight.toml', 'pyproject.toml', '.git' },
  settings = { preflight = vim.empty_dict() },
}
