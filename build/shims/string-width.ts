// Bundled in place of the string-width package (yargs, cliui and wrap-ansi use it to lay
// out help text). The real one builds an Intl.Segmenter and Unicode property regexes at
// load time: about 30 ms of every start-up, for text that is ASCII here. Counting code
// points outside ANSI escapes is exact for our help; wide CJK characters count as 2.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI sequences start with ESC and a hyperlink (OSC 8) ends with BEL: matching them is the point
const ANSI = /\u001B\[[0-9;]*[A-Za-z]|\u001B\]8;;[^\u0007]*\u0007/g;

export default function stringWidth(text: string): number {
  let width = 0;
  for (const character of text.replace(ANSI, '')) {
    const code = character.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0x300 && code < 0x370) || code === 0x200b) continue;
    width += (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) || (code >= 0xffe0 && code <= 0xffe6) || (code >= 0x1f300 && code <= 0x1faff) || (code >= 0x20000 && code <= 0x3fffd) ? 2 : 1;
  }
  return width;
}
