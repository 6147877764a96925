/**
 * IEEE 754 binary16 → binary32, exactly (every half is representable as a float). Wasm SIMD has no f16
 * instructions (Node 20), so the lanes convert with integer ops and one multiply: shift the exponent and
 * mantissa into place as a float 2^112 too small, then scale by 2^112. That one multiply renormalises
 * half subnormals too, since wasm never flushes float subnormals to zero. Infinities and NaNs (half
 * exponent 31) get the float exponent 255 by a select. After Fabian Giesen's `half_to_float_fast`
 * (https://gist.github.com/rygorous/2144712, public domain).
 */

/** Sign bit of a half. */
const HALF_SIGN: u32 = 0x8000;
/** Exponent and mantissa bits of a half. */
const HALF_MAGNITUDE: u32 = 0x7fff;
/** Exponent bits of a half (all ones: infinity or NaN). */
const HALF_EXPONENT: u32 = 0x7c00;
/** Bits between a half's mantissa and a float's: 23 - 10. */
const MANTISSA_SHIFT: u32 = 13;
/** 2^112 as a float: the difference of the exponent biases, 127 - 15, applied by one multiply. */
const BIAS_SCALE: f32 = 5.192296858534828e33;
/** Exponent bits of a float. */
const FLOAT_EXPONENT: u32 = 0x7f800000;

/**
 * Scalar reference: the textbook conversion, case by case (zero, subnormal, normal, inf/NaN), written
 * independently of the SIMD trick so that the two check each other.
 */
export function f16ToF32(h: u32): f32 {
  const sign = (h & HALF_SIGN) << 16;
  const exponent = (h >> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  let bits: u32;
  if (exponent == 0x1f) {
    bits = sign | FLOAT_EXPONENT | (mantissa << MANTISSA_SHIFT);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << MANTISSA_SHIFT);
  } else if (mantissa == 0) {
    bits = sign;
  } else {
    // Subnormal half m * 2^-24: normalise until the implicit bit (0x400) is set.
    let e: u32 = 113;
    while ((mantissa & 0x400) == 0) {
      mantissa <<= 1;
      e--;
    }
    bits = sign | (e << 23) | ((mantissa & 0x3ff) << MANTISSA_SHIFT);
  }
  return reinterpret<f32>(bits);
}

/** Converts four halves, one in the low 16 bits of each u32 lane, into four floats. */
// @ts-ignore: decorator
@inline export function f16x4ToF32x4(h: v128): v128 {
  const sign = i32x4.shl(v128.and(h, i32x4.splat(HALF_SIGN)), 16);
  const shifted = i32x4.shl(v128.and(h, i32x4.splat(HALF_MAGNITUDE)), MANTISSA_SHIFT);
  const scaled = f32x4.mul(shifted, f32x4.splat(BIAS_SCALE));
  const special = i32x4.ge_s(shifted, i32x4.splat(HALF_EXPONENT << MANTISSA_SHIFT));
  const magnitude = v128.bitselect(v128.or(shifted, i32x4.splat(FLOAT_EXPONENT)), scaled, special);
  return v128.or(magnitude, sign);
}
