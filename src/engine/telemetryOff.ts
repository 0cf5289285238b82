/**
 * Turns onnxruntime's telemetry off in this process before onnxruntime is loaded: its documented opt-out,
 * ORT_DISABLE_TELEMETRY, is read when onnxruntime sets up its environment (the first session). Imported first by
 * the engine's entry (esbuild keeps import order, so this runs before anything requires onnxruntime-node) and
 * required by the test runner (.mocharc.json) for the tests that load onnxruntime in-process. EngineClient sets the
 * same variable in the engine's environment; this is the engine's own guarantee when started some other way.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';
