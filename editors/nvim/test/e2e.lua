-- One editing session in a real Neovim 0.11 with lsp/preflight.lua from this
-- folder: open a migration, wait for preflight's diagnostic at the right code
-- and position on a non-ASCII line, edit, apply the quick fix that adds
-- CONCURRENTLY, see the diagnostic go, hover, shut the server down.
--
--   PREFLIGHT_BIN=target/debug/preflight \
--   nvim --headless --clean --cmd 'set rtp^=editors/nvim' -c 'luafile editors/nvim/test/e2e.lua'
--
-- Exits 0 when every step passed, 1 (with the reason on stderr) otherwise.

local TIMEOUT = 20000
local INDEX_RULE = 'require-concurrent-index-creation'
local FIX_TITLE = 'Build the index with CONCURRENTLY'
-- `/* é🚀ユ */ ` is 16 bytes; Neovim offers UTF-8 first and preflight takes it.
local START_COL = 16
local END_COL = START_COL + #'CREATE INDEX idx_users_email ON users (email)'

local function say(message)
  io.stdout:write('nvim e2e: ', message, '\n')
end

local function fail(message)
  error(message, 0)
end

local function check(condition, message)
  if not condition then
    fail(message)
  end
end

local function wait_for(what, predicate)
  if not vim.wait(TIMEOUT, predicate, 20) then
    fail('timed out waiting for ' .. what)
  end
end

local function write(path, text)
  local file = assert(io.open(path, 'w'))
  file:write(text)
  file:close()
end

local function preflight_diagnostics(buf, code)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'preflight' and (code == nil or d.code == code) then
      table.insert(out, d)
    end
  end
  return out
end

local function describe(buf)
  return vim.inspect(vim.tbl_map(function(d)
    return { d.code, d.lnum, d.col, d.end_lnum, d.end_col }
  end, vim.diagnostic.get(buf)))
end

local function run()
  local bin = os.getenv('PREFLIGHT_BIN')
  check(bin and vim.fn.executable(bin) == 1, 'PREFLIGHT_BIN must name the preflight binary, got ' .. tostring(bin))

  -- The packaged config, found on 'runtimepath'.
  local packaged = vim.lsp.config.preflight
  check(packaged and packaged.cmd and packaged.cmd[1] == 'preflight', 'lsp/preflight.lua not found on runtimepath')
  check(vim.tbl_contains(packaged.filetypes, 'sql'), 'sql among the filetypes')
  check(vim.deep_equal(packaged.root_markers, { 'preflight.toml', 'pyproject.toml', '.git' }), 'root markers')

  local exit_code
  vim.lsp.config('preflight', {
    cmd = { bin, 'lsp' },
    on_exit = function(code)
      exit_code = code
    end,
  })
  vim.lsp.enable('preflight')

  local root = vim.fn.tempname()
  local dir = root .. '/migrations/20240101000000_add_index'
  vim.fn.mkdir(dir, 'p')
  write(root .. '/preflight.toml', 'postgres-version = 15\n')
  write(dir .. '/metadata.toml', 'run_in_transaction = false\n')
  write(dir .. '/down.sql', 'DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;\n')
  write(dir .. '/up.sql', '-- Index für die Nutzer-E-Mail 📧 (ユーザー)\n/* é🚀ユ */ CREATE INDEX idx_users_email ON users (email);\n')

  -- open
  vim.cmd.edit(vim.fn.fnameescape(dir .. '/up.sql'))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'sql', 'filetype sql, got ' .. vim.bo[buf].filetype)
  local client
  wait_for('preflight to attach', function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'preflight' })[1]
    return client ~= nil and client.initialized
  end)
  check(client.root_dir == root, 'root from preflight.toml: ' .. tostring(client.root_dir))
  check(client.offset_encoding == 'utf-8', 'UTF-8 positions, got ' .. client.offset_encoding)
  say('attached, root ' .. client.root_dir .. ', ' .. client.offset_encoding)

  -- diagnostics
  wait_for('the index diagnostic', function()
    return #preflight_diagnostics(buf, INDEX_RULE) > 0
  end)
  local d = preflight_diagnostics(buf, INDEX_RULE)[1]
  check(
    d.lnum == 1 and d.col == START_COL and d.end_lnum == 1 and d.end_col == END_COL,
    'index diagnostic position: ' .. describe(buf)
  )
  check(d.severity == vim.diagnostic.severity.ERROR, 'an error')
  check(#preflight_diagnostics(buf, 'require-lock-timeout') == 1, 'lock timeout diagnostic: ' .. describe(buf))
  say('diagnostic ' .. INDEX_RULE .. ' at line 2, byte column ' .. d.col)

  -- change: a non-ASCII line above moves the findings down
  vim.api.nvim_buf_set_lines(buf, 0, 0, false, { '-- 変更 ✓' })
  wait_for('the diagnostics to follow the edit', function()
    local moved = preflight_diagnostics(buf, INDEX_RULE)
    return #moved == 1 and moved[1].lnum == 2
  end)
  for _, diagnostic in ipairs(preflight_diagnostics(buf)) do
    check(diagnostic.lnum == 2 and diagnostic.col == START_COL, 'no stale diagnostic: ' .. describe(buf))
  end
  say('diagnostics moved to line 3')

  -- code action: the quick fix adds CONCURRENTLY
  vim.api.nvim_win_set_cursor(0, { 3, START_COL + 5 })
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      return action.title == FIX_TITLE
    end,
  })
  wait_for('the fix to be applied', function()
    return vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1]:find('CREATE INDEX CONCURRENTLY', 1, true) ~= nil
  end)
  check(
    vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1]
      == '/* é🚀ユ */ CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (email);',
    'fixed line: ' .. vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1]
  )
  wait_for('the index diagnostic to clear', function()
    return #preflight_diagnostics(buf, INDEX_RULE) == 0 and #preflight_diagnostics(buf, 'require-lock-timeout') == 0
  end)
  say('quick fix applied, diagnostic cleared')

  -- hover over the statement
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, TIMEOUT)
  local hover = responses and responses[client.id] and responses[client.id].result
  check(hover ~= nil, 'a hover: ' .. vim.inspect(responses))
  check(hover.contents.kind == 'markdown', 'markdown hover')
  check(hover.contents.value:find('statement class: **additive**', 1, true) ~= nil, 'hover text: ' .. hover.contents.value)
  check(hover.range.start.line == 2 and hover.range.start.character == START_COL, 'hover range: ' .. vim.inspect(hover.range))
  say('hover shows the statement class')

  -- shutdown
  client:stop()
  wait_for('the server to exit', function()
    return exit_code ~= nil
  end)
  check(exit_code == 0, 'server exit code ' .. tostring(exit_code))
  say('server shut down with status 0')
  vim.fn.delete(root, 'rf')
end

local ok, err = xpcall(run, debug.traceback)
if ok then
  say('passed')
  vim.cmd('qall!')
else
  io.stderr:write('nvim e2e: FAILED: ', tostring(err), '\n')
  vim.cmd('cquit 1')
end
