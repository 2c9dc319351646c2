export * from "./gateway/index.js";
export * from "./llb/index.js";
