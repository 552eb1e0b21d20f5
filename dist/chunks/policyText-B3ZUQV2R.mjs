#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
import{d as a}from"./chunk-6E3S4KTJ.mjs";import"./chunk-T2E3NXKD.mjs";import"./chunk-VONOIGIA.mjs";export{a as parsePolicyText};
//# sourceMappingURL=policyText-B3ZUQV2R.mjs.map
