#!/usr/bin/env node
import { createRequire } from 'module'; const require = createRequire(import.meta.url);
//# sourceMappingURL=chunk-GQNLR7Q3.mjs.map
