#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
function t(n){let e=n;return{name:e?.name??"Error",status:e?.$metadata?.httpStatusCode,message:e?.message??String(n)}}function s(n){let e=t(n);return`${e.name}: ${e.message}`}function r(n){return t(n).name==="ResourceNotFoundException"}export{t as a,s as b,r as c};
//# sourceMappingURL=chunk-OYV67IG7.mjs.map
