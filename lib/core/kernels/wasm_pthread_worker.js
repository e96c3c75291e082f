// The pthread worker of tfjs-backend-wasm's threaded build, for Node's worker_threads: the package
// ships it only as a string (wasm-out/tfjs-backend-wasm-threaded-simd.worker.js exports it), which
// the browser loads from a Blob URL and Node cannot. lib/core/kernels/wasm_threaded.ts points
// Emscripten here. The string's "\n" escapes became newlines in the template it is kept in.
'use strict';
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
// A direct eval: the script uses this module's require and __filename.
eval(wasmWorkerContents.replace(/\n/g, '\\n'));
