// A small XML reader for JUnit result files (pytest's --junitxml). It handles what such files contain: the
// declaration, comments, CDATA, attributes in either quote, the five named entities and numeric character
// references, and self-closing tags. No DTDs or namespaces: a result file has none, and a DOCTYPE is skipped.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside the element (CDATA included), entities decoded. */
  text: string;
}

export class XmlError extends Error {}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref] ?? whole;
  });
}

const NAME = /[A-Za-z_:][\w.:-]*/y;
const ATTRIBUTE = /\s*([A-Za-z_:][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/y;

/** Parses a whole document and returns its root element; throws XmlError on malformed input. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (what: string): never => {
    const line = source.slice(0, i).split('\n').length;
    throw new XmlError(`${what} at line ${line}`);
  };
  const skipPast = (end: string, what: string) => {
    const at = source.indexOf(end, i);
    if (at < 0) fail(`unterminated ${what}`);
    const inner = source.slice(i, at);
    i = at + end.length;
    return inner;
  };
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const textEnd = lt < 0 ? source.length : lt;
    if (textEnd > i) {
      const text = source.slice(i, textEnd);
      if (stack.length > 0) stack[stack.length - 1]!.text += decodeEntities(text);
      else if (text.trim() !== '') fail('text outside the root element');
      i = textEnd;
      continue;
    }
    if (source.startsWith('<?', i)) {
      i += 2;
      skipPast('?>', 'processing instruction');
    } else if (source.startsWith('<!--', i)) {
      i += 4;
      skipPast('-->', 'comment');
    } else if (source.startsWith('<![CDATA[', i)) {
      i += 9;
      const data = skipPast(']]>', 'CDATA section');
      if (stack.length === 0) fail('CDATA outside the root element');
      stack[stack.length - 1]!.text += data;
    } else if (source.startsWith('<!', i)) {
      i += 2;
      skipPast('>', 'declaration');
    } else if (source.startsWith('</', i)) {
      i += 2;
      NAME.lastIndex = i;
      const match = NAME.exec(source);
      if (!match) fail('bad closing tag');
      i = NAME.lastIndex;
      const open = stack.pop();
      if (!open || open.name !== match![0]) fail(`</${match![0]}> does not close <${open?.name ?? ''}>`);
      while (/\s/.test(source[i] ?? '')) i++;
      if (source[i] !== '>') fail('bad closing tag');
      i++;
    } else {
      i++;
      NAME.lastIndex = i;
      const match = NAME.exec(source);
      if (!match) fail('bad tag');
      i = NAME.lastIndex;
      const element: XmlElement = { name: match![0], attributes: {}, children: [], text: '' };
      for (;;) {
        ATTRIBUTE.lastIndex = i;
        const attr = ATTRIBUTE.exec(source);
        if (!attr) break;
        element.attributes[attr[1]!] = decodeEntities(attr[3] ?? attr[4] ?? '');
        i = ATTRIBUTE.lastIndex;
      }
      while (/\s/.test(source[i] ?? '')) i++;
      const selfClosing = source.startsWith('/>', i);
      if (!selfClosing && source[i] !== '>') fail(`bad tag <${element.name}>`);
      i += selfClosing ? 2 : 1;
      if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
      else if (root) fail('a second root element');
      else root = element;
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) fail('no root element');
  return root!;
}

/** Every descendant element with the given name, in document order. */
export function descendants(element: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const child of e.children) {
      if (child.name === name) out.push(child);
      walk(child);
    }
  };
  walk(element);
  return out;
}
