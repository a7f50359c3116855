"""Optimizer update ops (TF's `ResourceApply*` training ops): in-place, stateful primitives.

Each op rewrites a variable and its slot variables in place with NumPy `out=` ufuncs, using two
caller-owned scratch buffers, so an optimizer step allocates nothing per variable. The formulas and
their float32 evaluation order follow TF's CPU kernels (or Keras 2's Python update where Keras does
not call a kernel), so the updated values equal TF's bit for bit. Inputs:
`(var, grad, *slots, iterations, lr, *hyperparameters, scratch, scratch2)`; the step-dependent
coefficients are computed inside from `iterations`, so a traced step stays correct.

These are nondifferentiable, stateful and have no outputs; the Keras optimizers bind them.
"""

from __future__ import annotations

from nanotf._src.backend import compiled, np
from nanotf._src.dispatch import primitive

_ONE = np.float32(1)


def _f(a):
    """A 0-d array as a scalar of its own dtype (keeps float32 arithmetic in float32)."""
    return a.dtype.type(a)


def _step(it):
    """`iterations + 1` as float32, TF's `local_step`."""
    return np.float32(int(it) + 1)


def _kernel(name):
    return primitive(name, nout=0, nondiff=True, stateful=True)


@_kernel("ResourceApplyGradientDescent")
def resource_apply_gradient_descent(xp, var, g, it, lr, t, t2):
    """`var -= grad * lr`."""
    xp.multiply(g, _f(lr), out=t)
    xp.subtract(var, t, out=var)
    return ()


@_kernel("ResourceApplyKerasMomentum")
def resource_apply_keras_momentum(xp, var, g, accum, it, lr, mom, t, t2, *, nesterov):
    """`accum = accum * momentum - grad * lr; var += accum` (Nesterov: `var += accum * momentum -
    grad * lr`)."""
    mom = _f(mom)
    xp.multiply(accum, mom, out=accum)
    xp.multiply(g, _f(lr), out=t)
    xp.subtract(accum, t, out=accum)  # accum = accum * momentum - grad * lr
    if nesterov:  # var += accum * momentum - grad * lr
        xp.multiply(accum, mom, out=t2)
        xp.subtract(t2, t, out=t2)
        xp.add(var, t2, out=var)
    else:
        xp.add(var, accum, out=var)
    return ()


def _adam_coeffs(it, lr, b1, b2, omb):
    """Adam's per-step scalars (float32, TF's order): `(1 - b1, 1 - b2, alpha)`."""
    b1, b2, lr = _f(b1), _f(b2), _f(lr)
    # Keras 3 style optimizers (AdamW) form 1 - beta from the Python float, Keras 2 in float32
    om1, om2 = (_ONE - b1, _ONE - b2) if omb is None else (np.float32(omb[0]), np.float32(omb[1]))
    n = _step(it)
    return om1, om2, lr * np.sqrt(_ONE - b2 ** n) / (_ONE - b1 ** n)


def _adam_arrays(xp, var, g, m, v, vhat, om1, om2, alpha, eps, t, t2):
    """The elementwise part of Adam: 12 passes (13 with AMSGrad), each one float32 rounding (one
    compiled pass with the same roundings where the backend has it)."""
    k = compiled(var)
    if k is not None and _flat_alike(var, g, m, v, vhat):
        k.adam(var.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1),
               (v if vhat is None else vhat).reshape(-1), vhat is not None, om1, om2, alpha, eps)
        return
    xp.subtract(g, m, out=t)
    xp.multiply(t, om1, out=t)
    xp.add(m, t, out=m)  # m += (g - m) * (1 - beta1)
    xp.multiply(g, g, out=t)
    xp.subtract(t, v, out=t)
    xp.multiply(t, om2, out=t)
    xp.add(v, t, out=v)  # v += (g^2 - v) * (1 - beta2)
    if vhat is not None:
        xp.maximum(vhat, v, out=vhat)
    xp.sqrt(v if vhat is None else vhat, out=t)
    xp.add(t, eps, out=t)
    xp.multiply(m, alpha, out=t2)
    xp.divide(t2, t, out=t2)
    xp.subtract(var, t2, out=var)  # var -= m * alpha / (sqrt(v) + eps)


def _flat_alike(var, *arrays) -> bool:
    """Whether `arrays` (None skipped) are C-contiguous NumPy arrays of `var`'s dtype and shape."""
    for a in arrays:
        if a is not None and (type(a) is not np.ndarray or a.dtype != var.dtype or
                              a.shape != var.shape or not a.flags.c_contiguous):
            return False
    return True


def _adam_core(xp, var, g, m, v, vhat, it, lr, b1, b2, eps, wd, omb, t, t2):
    om1, om2, alpha = _adam_coeffs(it, lr, b1, b2, omb)
    if wd:  # AdamW's decoupled decay first: var -= var * wd * lr
        xp.multiply(var, np.float32(wd), out=t)
        xp.multiply(t, _f(lr), out=t)
        xp.subtract(var, t, out=var)
    _adam_arrays(xp, var, g, m, v, vhat, om1, om2, alpha, np.float32(eps), t, t2)
    return ()


@_kernel("ResourceApplyAdamMulti")
def resource_apply_adam_multi(xp, *arrays, n, eps, omb, amsgrad):
    """Adam on `n` variables in one op: `(vars, grads, m, v[, vhat], iterations, lr, b1, b2,
    scratch pairs)`, each a group of `n` except the four scalars. The step's scalars are formed
    once; each variable then gets exactly `ResourceApplyAdam`'s passes (the same numbers)."""
    k = 5 if amsgrad else 4
    it, lr, b1, b2 = arrays[k * n:k * n + 4]
    om1, om2, alpha = _adam_coeffs(it, lr, b1, b2, omb)
    eps = np.float32(eps)
    scratch = arrays[k * n + 4:]
    for i in range(n):
        _adam_arrays(xp, arrays[i], arrays[n + i], arrays[2 * n + i], arrays[3 * n + i],
                     arrays[4 * n + i] if amsgrad else None, om1, om2, alpha, eps,
                     scratch[2 * i], scratch[2 * i + 1])
    return ()


@_kernel("ResourceApplyAdam")
def resource_apply_adam(xp, var, g, m, v, it, lr, b1, b2, t, t2, *, eps, wd, omb):
    """Adam: `m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); var -= m * alpha / (sqrt(v) + eps)`."""
    return _adam_core(xp, var, g, m, v, None, it, lr, b1, b2, eps, wd, omb, t, t2)


@_kernel("ResourceApplyAdamWithAmsgrad")
def resource_apply_adam_with_amsgrad(xp, var, g, m, v, vhat, it, lr, b1, b2, t, t2, *, eps, wd,
                                     omb):
    """AMSGrad: Adam with `vhat = max(vhat, v)` in the denominator."""
    return _adam_core(xp, var, g, m, v, vhat, it, lr, b1, b2, eps, wd, omb, t, t2)


def _rsqrt_into(xp, x, out):
    xp.sqrt(x, out=out)
    xp.divide(_ONE, out, out=out)


@_kernel("ResourceApplyRMSProp")
def resource_apply_rms_prop(xp, var, g, *rest, centered, has_mom, eps):
    """RMSprop, plain/centered, with momentum (TF kernels) or without (Keras 2 Python path)."""
    rms = rest[0]
    mom_slot = rest[1] if has_mom else None
    mg = rest[1 + has_mom] if centered else None
    it, lr, rho, mom, t, t2 = rest[1 + has_mom + centered:]
    lr, rho, eps, omr = _f(lr), _f(rho), np.float32(eps), _ONE - _f(rho)
    if has_mom:  # TF's fused kernels: ms += (g^2 - ms)(1 - rho); mom = mom*m + rsqrt(den)*lr*g
        xp.multiply(g, g, out=t)
        xp.subtract(t, rms, out=t)
        xp.multiply(t, omr, out=t)
        xp.add(rms, t, out=rms)
        if centered:
            xp.subtract(g, mg, out=t)
            xp.multiply(t, omr, out=t)
            xp.add(mg, t, out=mg)
            xp.multiply(mg, mg, out=t)
            xp.subtract(rms, t, out=t)
            xp.add(t, eps, out=t)
        else:
            xp.add(rms, eps, out=t)
        xp.sqrt(t, out=t)
        xp.multiply(g, lr, out=t2)
        xp.divide(t2, t, out=t)
        xp.multiply(mom_slot, _f(mom), out=mom_slot)
        xp.add(mom_slot, t, out=mom_slot)
        xp.subtract(var, mom_slot, out=var)
        return ()
    # Keras's Python path: rms = rho*rms + (1-rho)*g^2; var -= lr*g / (sqrt(den) + eps)
    xp.multiply(rms, rho, out=rms)
    xp.multiply(g, g, out=t)
    xp.multiply(t, omr, out=t)
    xp.add(rms, t, out=rms)
    den = rms
    if centered:
        xp.multiply(mg, rho, out=mg)
        xp.multiply(g, omr, out=t)
        xp.add(mg, t, out=mg)
        xp.multiply(mg, mg, out=t)
        xp.subtract(rms, t, out=t)
        den = t
    xp.sqrt(den, out=t)
    xp.add(t, eps, out=t)
    xp.multiply(g, lr, out=t2)
    xp.divide(t2, t, out=t2)
    xp.subtract(var, t2, out=var)
    return ()


@_kernel("ResourceApplyAdagradV2")
def resource_apply_adagrad_v2(xp, var, g, acc, it, lr, t, t2, *, eps):
    """Adagrad: `acc += g^2; var -= g * lr / (sqrt(acc) + eps)`."""
    xp.multiply(g, g, out=t)
    xp.add(acc, t, out=acc)
    xp.sqrt(acc, out=t)
    xp.add(t, np.float32(eps), out=t)
    xp.multiply(g, _f(lr), out=t2)
    xp.divide(t2, t, out=t2)
    xp.subtract(var, t2, out=var)  # var -= g * lr / (sqrt(acc) + eps)
    return ()


@_kernel("ResourceApplyAdadelta")
def resource_apply_adadelta(xp, var, g, accum, accum_update, it, lr, rho, t, t2, *, eps):
    """Adadelta with TF's update order (`rsqrt`, then the update accumulator)."""
    rho, eps = _f(rho), np.float32(eps)
    omr = _ONE - rho
    xp.multiply(g, g, out=t)
    xp.multiply(t, omr, out=t)
    xp.multiply(accum, rho, out=accum)
    xp.add(accum, t, out=accum)  # accum = accum * rho + g^2 * (1 - rho)
    xp.add(accum_update, eps, out=t)
    xp.sqrt(t, out=t)
    xp.add(accum, eps, out=t2)
    _rsqrt_into(xp, t2, t2)
    xp.multiply(t, t2, out=t)
    xp.multiply(t, g, out=t)  # update = sqrt(acc_upd + eps) * rsqrt(accum + eps) * g
    xp.multiply(t, _f(lr), out=t2)
    xp.subtract(var, t2, out=var)
    xp.multiply(t, t, out=t)
    xp.multiply(t, omr, out=t)
    xp.multiply(accum_update, rho, out=accum_update)
    xp.add(accum_update, t, out=accum_update)
    return ()


@_kernel("ResourceApplyAdaMax")
def resource_apply_ada_max(xp, var, g, m, v, it, lr, b1, b2, t, t2, *, eps):
    """Adamax: `v = max(b2 * v, |g|); var -= lr / (1 - b1^t) * m / (v + eps)`."""
    b1 = _f(b1)
    xp.subtract(g, m, out=t)
    xp.multiply(t, _ONE - b1, out=t)
    xp.add(m, t, out=m)
    xp.multiply(v, _f(b2), out=v)
    xp.abs(g, out=t)
    xp.maximum(v, t, out=v)  # v = max(beta2 * v, |g|)
    xp.add(v, np.float32(eps), out=t)
    xp.divide(m, t, out=t)
    xp.multiply(t, _f(lr) / (_ONE - b1 ** _step(it)), out=t)
    xp.subtract(var, t, out=var)
    return ()


def _nadam_coeffs(it, b1, decay):
    def m_at(step):
        return b1 * (_ONE - np.float32(0.5) * np.float32(0.96) ** (np.float32(decay) * step))

    n = _step(it)
    return m_at(n), m_at(n + _ONE)


@_kernel("NadamMomentumCache")
def nadam_momentum_cache(xp, cache, it, b1, *, decay):
    """Nadam's per-step momentum cache: `cache *= m_t`."""
    xp.multiply(cache, _nadam_coeffs(it, _f(b1), decay)[0], out=cache)
    return ()


@_kernel("ResourceApplyNadam")
def resource_apply_nadam(xp, var, g, m, v, it, lr, b1, b2, cache, t, t2, *, eps, decay):
    """Nadam (Keras 2's schedule-based update; `cache` already holds this step's product)."""
    b1, b2 = _f(b1), _f(b2)
    m_t, m_t_1 = _nadam_coeffs(it, b1, decay)
    sched_new = _f(cache)  # already multiplied by m_t for this step
    sched_next = sched_new * m_t_1
    xp.divide(g, _ONE - sched_new, out=t)  # g'
    xp.multiply(m, b1, out=m)
    xp.multiply(g, _ONE - b1, out=t2)
    xp.add(m, t2, out=m)
    xp.divide(m, _ONE - sched_next, out=t2)
    xp.multiply(t2, m_t_1, out=t2)
    xp.multiply(t, _ONE - m_t, out=t)
    xp.add(t, t2, out=t)  # m_bar = (1 - m_t) g' + m_t_1 m'
    xp.multiply(v, b2, out=v)
    xp.multiply(g, g, out=t2)
    xp.multiply(t2, _ONE - b2, out=t2)
    xp.add(v, t2, out=v)
    xp.divide(v, _ONE - b2 ** _step(it), out=t2)
    xp.sqrt(t2, out=t2)
    xp.add(t2, np.float32(eps), out=t2)
    xp.multiply(t, _f(lr), out=t)
    xp.divide(t, t2, out=t)
    xp.subtract(var, t, out=var)
    return ()


@_kernel("ResourceApplyFtrlV2")
def resource_apply_ftrl_v2(xp, var, g, accum, linear, it, lr, lr_power, l1, l2, beta, t, t2, *,
                           shrink):
    """FTRL-Proximal with L1/L2 and L2 shrinkage (TF's `ApplyFtrlV2`)."""
    lr, p, l1 = _f(lr), _f(lr_power), _f(l1)
    l2 = _f(l2) + _f(beta) / (np.float32(2.0) * lr)
    xp.multiply(g, g, out=t)
    xp.add(t, accum, out=t)  # new accumulator

    def root(x, out):
        return xp.sqrt(x, out=out) if p == -0.5 else xp.power(x, -p, out=out)

    root(t, t2)
    root(accum, accum)
    xp.subtract(t2, accum, out=t2)
    xp.divide(t2, lr, out=t2)
    xp.multiply(t2, var, out=t2)
    gs = g if not shrink else g + np.float32(2.0) * np.float32(shrink) * var
    xp.subtract(gs, t2, out=t2)
    xp.add(linear, t2, out=linear)
    xp.sign(linear, out=t2)
    xp.multiply(t2, l1, out=t2)
    xp.subtract(t2, linear, out=t2)  # x = l1 * sign(linear) - linear
    root(t, accum)
    xp.divide(accum, lr, out=accum)
    xp.add(accum, np.float32(2.0) * l2, out=accum)  # y = root(new_accum) / lr + 2 * l2
    xp.divide(t2, accum, out=t2)
    var[...] = xp.where(xp.abs(linear) > l1, t2, np.float32(0))
    accum[...] = t
    return ()
