/**
 * The name of the checked-in record of released versions, apart from lock.ts so that the command
 * table (`pyfront images --help`) names it without loading node:crypto.
 */
export const LOCK_FILE_NAME = "images.lock.json";
