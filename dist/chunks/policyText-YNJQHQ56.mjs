#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
import{a}from"./chunk-E23XPJHA.mjs";import"./chunk-OAF5PTDK.mjs";import"./chunk-OCOFK4E7.mjs";import"./chunk-VONOIGIA.mjs";export{a as parsePolicyText};
//# sourceMappingURL=policyText-YNJQHQ56.mjs.map
