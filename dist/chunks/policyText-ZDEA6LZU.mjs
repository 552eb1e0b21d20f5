#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
import{d as a}from"./chunk-QLLCFVNV.mjs";import"./chunk-2NB5SPZU.mjs";import"./chunk-VONOIGIA.mjs";export{a as parsePolicyText};
//# sourceMappingURL=policyText-ZDEA6LZU.mjs.map
