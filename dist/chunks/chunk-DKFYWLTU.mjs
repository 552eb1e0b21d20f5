#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
function t(e){let n=e;return{name:n?.name??"Error",status:n?.$metadata?.httpStatusCode,message:n?.message??String(e)}}export{t as a};
//# sourceMappingURL=chunk-DKFYWLTU.mjs.map
