// astring ships no typings; the compiler only needs `generate`.
declare module 'astring' {
  export function generate (node: unknown, options?: { indent?: string, lineEnd?: string, comments?: boolean }): string
}
