#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
import{d as n}from"./chunk-NNXDR2UQ.mjs";import{K as i,g as t}from"./chunk-DEZVCIRU.mjs";function p(e,o="policy document"){let r;try{r=n(e,void 0,1e4)}catch(l){throw new t([`not valid JSON or YAML: ${l.message}`],o)}return i(r,o)}export{p as a};
//# sourceMappingURL=chunk-KJHLVOR4.mjs.map
