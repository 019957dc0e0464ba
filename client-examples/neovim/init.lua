-- flakelens for Neovim. Put this in your init.lua (or a file under plugin/).
-- `npx --no` runs the project's own flakelens from node_modules/.bin and never installs anything.
local cmd = { 'npx', '--no', 'flakelens', '--stdio' }
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
  -- Older Neovim (0.8-0.10) without nvim-lspconfig: start (or reuse) one client per root on FileType.
  vim.api.nvim_create_autocmd('FileType', {
    pattern = filetypes,
    callback = function(args)
      local marker = vim.fs.find(root_markers, { upward = true, path = vim.fs.dirname(vim.api.nvim_buf_get_name(args.buf)) })[1]
      vim.lsp.start({
        name = 'flakelens',
        cmd = cmd,
        root_dir = marker and vim.fs.dirname(marker) or vim.fn.getcwd(),
        init_options = settings,
        settings = settings,
      }, { bufnr = args.buf })
    end,
  })
end

-- Quick fixes: `gra` (0.11 default) or vim.lsp.buf.code_action(); docs on hover: `K`.
