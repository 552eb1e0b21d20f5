#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
import{d as a}from"./chunk-FC55IIIO.mjs";import"./chunk-MSLOQNZS.mjs";import"./chunk-VONOIGIA.mjs";export{a as parsePolicyText};
//# sourceMappingURL=policyText-SZ6ORACN.mjs.map
