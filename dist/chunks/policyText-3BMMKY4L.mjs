#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
import{a}from"./chunk-ZHLKLKJ5.mjs";import"./chunk-NNXDR2UQ.mjs";import"./chunk-R6TS5QU6.mjs";import"./chunk-VONOIGIA.mjs";export{a as parsePolicyText};
//# sourceMappingURL=policyText-3BMMKY4L.mjs.map
