// Table shapes of the embargoed-disclosure area (joined into the one Database type in src/storage/tables.ts).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DisclosureTables {}
