/** Placeholder: the LSP server lands with the protocol layer. */
export function startServer(): void {
  throw new Error('language server not implemented yet');
}
