#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
function u(e){let n=Math.floor(e/864e5)*864e5;return{start:new Date(n-89*864e5),end:new Date(n+864e5)}}function g(e,n){let{start:t}=u(n),s=t.getTime()+76*864e5,i=0,o=-1/0;for(let{timestamp:l,value:a}of e){let r=l.getTime();!(a>0)||r<t.getTime()||(r>=s&&(i+=a),o=Math.max(o,r))}return{invocations14d:i,lastInvoked:Number.isFinite(o)?new Date(o).toISOString().slice(0,10):null}}var d=e=>(e.compatibleRuntimes?.length??0)>0,T=(e,n)=>e.filter(t=>d(t)&&!t.compatibleRuntimes.includes(n));export{u as a,g as b,T as c};
//# sourceMappingURL=chunk-YB5HSBZT.mjs.map
