export { Module, Parameter, type LoadResult } from "./module.js";
export { Conv2d } from "./conv.js";
