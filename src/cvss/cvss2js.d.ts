// Types for cvss2js (a dev dependency, plain CommonJS without bundled types): the CVSS 2.0 calculator
// CSAF test 6.1.9 uses, which first-calculators.test.ts compares our v2 scoring with.
declare module 'cvss2js' {
  const cvss2js: {
    getBaseScore(vector: string): number;
    getTemporalScore(vector: string): number;
    getEnvironmentalScore(vector: string): number;
  };
  export default cvss2js;
}
