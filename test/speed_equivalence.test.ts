// The fast paths against tfjs's cpu kernels with the native addon (where it is built): the tests are
// in speed_equivalence.shared.ts; speed_equivalence_wasm.test.ts runs them without the addon.
import './speed_equivalence.shared';
