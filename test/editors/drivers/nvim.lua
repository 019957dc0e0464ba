-- Drives headless Neovim with the shipped client-examples/neovim/init.lua (loaded with -u): opens a test file,
-- waits for flakelens diagnostics, types `.only`, applies the quick fix through vim.lsp.buf.code_action, hovers.
-- Every wait is bounded polling (vim.wait); the result goes to $FLAKELENS_EDITOR_OUT as JSON for the vitest side.
local out = assert(os.getenv('FLAKELENS_EDITOR_OUT'))
local file = assert(os.getenv('FLAKELENS_EDITOR_FILE'))
local edit_line = tonumber(os.getenv('FLAKELENS_EDITOR_EDIT_LINE')) -- 0-based line holding `it(`
local hover_line = tonumber(os.getenv('FLAKELENS_EDITOR_HOVER_LINE'))
local hover_col = tonumber(os.getenv('FLAKELENS_EDITOR_HOVER_COL'))
local TIMEOUT = 60000
local result = { editor = 'nvim ' .. tostring(vim.version().major) .. '.' .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch) }

local function now_ms() return vim.loop.hrtime() / 1e6 end

local function flakelens_diagnostics(buf)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    if d.source == 'flakelens' or lsp.source == 'flakelens' then
      table.insert(list, {
        code = lsp.code, severity = d.severity, message = d.message, -- vim.diagnostic.severity numbers are LSP's
        href = lsp.codeDescription and lsp.codeDescription.href or vim.NIL,
        line = d.lnum, character = d.col, endLine = d.end_lnum, endCharacter = d.end_col,
      })
    end
  end
  table.sort(list, function(a, b) return a.line < b.line or (a.line == b.line and a.character < b.character) end)
  return list
end

local function wait_for(what, cond)
  if not vim.wait(TIMEOUT, cond, 10) then error('timed out waiting for ' .. what) end
end

local function has_focus_at(buf, line)
  for _, d in ipairs(flakelens_diagnostics(buf)) do
    if d.code == 'focused-test' and d.line == line then return true end
  end
  return false
end

vim.lsp.set_log_level(os.getenv('FLAKELENS_EDITOR_LOG') or 'warn')
local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  local opened = now_ms()
  wait_for('the flakelens client to attach', function()
    for _, c in pairs(vim.lsp.buf_get_clients(buf)) do if c.name == 'flakelens' then return true end end
    return false
  end)
  wait_for('diagnostics', function() return #flakelens_diagnostics(buf) > 0 end)
  result.firstDiagnosticsMs = now_ms() - opened
  -- The first publish can race the workspace scan; settle on what the server says for version 1.
  result.initial = flakelens_diagnostics(buf)
  if os.getenv('FLAKELENS_EDITOR_STEPS') == 'startup' then return end

  -- Type `.only` after `it` as a user would (one incremental change).
  local started = now_ms()
  local edit_col = assert(vim.api.nvim_buf_get_lines(buf, edit_line, edit_line + 1, false)[1]:find('it(', 1, true), 'no it( on the edit line') + 1
  vim.api.nvim_buf_set_text(buf, edit_line, edit_col, edit_line, edit_col, { '.only' })
  wait_for('a focused-test diagnostic on the edited line', function() return has_focus_at(buf, edit_line) end)
  result.editLatencyMs = now_ms() - started
  result.afterEdit = flakelens_diagnostics(buf)

  -- Quick fix through the editor's own code-action flow; the "user" picks "Remove .only".
  local offered = {}
  vim.ui.select = function(items, opts, on_choice)
    for _, item in ipairs(items) do
      local title = opts.format_item and opts.format_item(item) or item[2].title
      table.insert(offered, title)
    end
    for _, item in ipairs(items) do
      if item[2].title == 'Remove .only' then return on_choice(item) end
    end
    on_choice(nil)
  end
  vim.api.nvim_win_set_cursor(0, { edit_line + 1, edit_col + 1 })
  vim.lsp.buf.code_action()
  wait_for('the quick fix to edit the buffer', function()
    return not vim.api.nvim_buf_get_lines(buf, edit_line, edit_line + 1, false)[1]:find('.only', 1, true)
  end)
  result.offered = offered
  result.fixedLine = vim.api.nvim_buf_get_lines(buf, edit_line, edit_line + 1, false)[1]
  wait_for('the diagnostic to go after the fix', function() return not has_focus_at(buf, edit_line) end)
  result.afterFix = flakelens_diagnostics(buf)
  result.text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'

  -- Hover (what `K` shows).
  vim.api.nvim_win_set_cursor(0, { hover_line + 1, hover_col })
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', vim.lsp.util.make_position_params(), TIMEOUT)
  for _, response in pairs(responses or {}) do
    if response.result and response.result.contents then
      local contents = response.result.contents
      result.hover = type(contents) == 'table' and (contents.value or vim.inspect(contents)) or contents
    end
  end
end)

if not ok then
  result.error = tostring(err)
  result.messages = vim.fn.execute('messages')
  local log = io.open(vim.lsp.get_log_path(), 'r')
  if log then result.lspLog = log:read('*a'):sub(-4000); log:close() end
end
local handle = assert(io.open(out, 'w'))
handle:write(vim.fn.json_encode(result))
handle:close()
-- Stop the server through the protocol (shutdown/exit) before leaving.
vim.lsp.stop_client(vim.lsp.get_active_clients())
vim.wait(5000, function() return #vim.lsp.get_active_clients() == 0 end, 10)
vim.cmd('qa!')
