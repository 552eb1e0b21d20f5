#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
import{a}from"./chunk-KJHLVOR4.mjs";import"./chunk-NNXDR2UQ.mjs";import"./chunk-DEZVCIRU.mjs";import"./chunk-VONOIGIA.mjs";export{a as parsePolicyText};
//# sourceMappingURL=policyText-MYANDFUT.mjs.map
