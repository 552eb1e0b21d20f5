#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
import{c as n}from"./chunk-OAF5PTDK.mjs";import{E as i,g as t}from"./chunk-OCOFK4E7.mjs";function p(e,o="policy document"){let r;try{r=n(e,void 0,1e4)}catch(l){throw new t([`not valid JSON or YAML: ${l.message}`],o)}return i(r,o)}export{p as a};
//# sourceMappingURL=chunk-E23XPJHA.mjs.map
