// Types for the CWE catalogue of @secvisogram/csaf-validator-lib (plain JavaScript without bundled
// types). It is the catalogue CSAF mandatory test 6.1.11 checks `cwe.name` against.
declare module '@secvisogram/csaf-validator-lib/cwe.js' {
  export const weaknesses: ReadonlyArray<{ readonly id: string; readonly name: string }>;
}
