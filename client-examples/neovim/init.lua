-- flakelens for Neovim. Put this in your init.lua (or a file under plugin/).
-- Which server runs:
--  - by default the project's own flakelens (node_modules/.bin, see the README's install section) through
--    `npx --no-install`, which never downloads anything. (Not `npx --no flakelens --stdio`: current npm takes
--    `--no` without a value and hands `--stdio` to npm itself.)
--  - with FLAKELENS_BIN set, that file: a plain path to the bin of a clone or a global install, e.g.
--    FLAKELENS_BIN=$HOME/src/flakelens/server/dist/bin/cli.js (run with node, so it need not be executable).
local bin = os.getenv('FLAKELENS_BIN')
local cmd = (bin and bin ~= '') and { 'node', bin, '--stdio' } or { 'npx', '--no-install', 'flakelens', '--stdio' }
local filetypes = { 'javascript', 'javascriptreact', 'typescript', 'typescriptreact' }
local root_markers = { 'flakelens.config.json', 'package.json', '.git' }
-- Sent as initializationOptions and answered to workspace/configuration (section "flakelens").
local settings = {
  flakelens = {
    rules = { ['fixed-sleep'] = 'error' },
  },
}

if vim.fn.has('nvim-0.11') == 1 then
  -- Neovim 0.11+: built-in configs, no plugin needed.
  vim.lsp.config('flakelens', {
    cmd = cmd,
    filetypes = filetypes,
    root_markers = root_markers,
    init_options = settings,
    settings = settings,
  })
  vim.lsp.enable('flakelens')
else
  -- Older Neovim (0.7-0.10) without nvim-lspconfig: start (or reuse) one client per root on FileType.
  -- vim.lsp.start and vim.fs arrived in 0.8; Debian 12 ships 0.7, hence start_client/buf_attach_client there.
  local function find_root(file)
    local dir = vim.fn.fnamemodify(file, ':p:h')
    while true do
      for _, marker in ipairs(root_markers) do
        if vim.loop.fs_stat(dir .. '/' .. marker) then return dir end
      end
      local parent = vim.fn.fnamemodify(dir, ':h')
      if parent == dir then return nil end
      dir = parent
    end
  end
  local clients = {} -- root directory -> client id (0.7 only)
  vim.api.nvim_create_autocmd('FileType', {
    pattern = filetypes,
    callback = function(args)
      local file = vim.api.nvim_buf_get_name(args.buf)
      if file == '' then return end -- flakelens analyses files on disk only
      local root = find_root(file) or vim.fn.getcwd()
      local config = { name = 'flakelens', cmd = cmd, root_dir = root, init_options = settings, settings = settings }
      if vim.lsp.start then
        vim.lsp.start(config, { bufnr = args.buf })
        return
      end
      local id = clients[root]
      if not id or vim.lsp.client_is_stopped(id) then
        id = vim.lsp.start_client(config)
        clients[root] = id
      end
      if id then vim.lsp.buf_attach_client(args.buf, id) end
    end,
  })
end

-- Quick fixes: `gra` (0.11 default) or vim.lsp.buf.code_action(); docs on hover: `K`.
