/** Plain ANSI styling; a disabled palette returns text unchanged, so reporters never branch on colour. */
export interface Palette {
  red(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  green(text: string): string;
  gray(text: string): string;
  bold(text: string): string;
  underline(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export const ANSI: Palette = {
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  blue: wrap(34, 39),
  green: wrap(32, 39),
  gray: wrap(90, 39),
  bold: wrap(1, 22),
  underline: wrap(4, 24),
};

const identity = (text: string): string => text;
export const PLAIN: Palette = { red: identity, yellow: identity, blue: identity, green: identity, gray: identity, bold: identity, underline: identity };

/**
 * Colour only for a terminal: off with --no-color, NO_COLOR (any non-empty value), TERM=dumb or when writing
 * to a file or pipe; --color or FORCE_COLOR (other than 0) turn it on regardless.
 */
export function useColor(flag: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' ) return env.FORCE_COLOR !== '0';
  return stream.isTTY === true && env.TERM !== 'dumb';
}
