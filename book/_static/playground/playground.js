/* Optimizer playground of 《深度学习中的优化算法》: plain JavaScript, no dependencies.
 *
 * Part 1 (math core, no DOM): the book's 2-D test functions and update rules,
 * written to match d2lutils/analysis/functions.py and d2lutils/optim/rules.py operation by
 * operation (tests/test_playground.py runs this file under Node and compares
 * every trajectory with the NumPy reference, step by step).
 * Part 2 (browser only): every <div class="optim-playground" data-...> on the
 * page becomes a canvas with contours, draggable start point, optimizer paths,
 * a loss panel and controls. Attributes (all optional):
 *   data-fn        quadratic | ill_conditioned | saddle | rosenbrock | beale | himmelblau
 *   data-fn-params JSON, e.g. {"a": 1, "b": 2} or {"b": 2, "kappa": 20}
 *   data-functions comma list: adds a function selector (race page)
 *   data-rules     comma list of sgd momentum nesterov adagrad rmsprop adadelta adam amsgrad adamw
 *                  nadam yogi adamax newton (the elementwise rules of RULES, plus Newton)
 *   data-hp        JSON {rule: {hp: value}} starting hyperparameters
 *   data-controls  comma list of controls to show: hyperparameter names, kappa, steps
 *   data-shared    comma list of hyperparameters with one control for all rules
 *   data-start "x1,x2"   data-steps N   data-view "xmin,xmax,ymin,ymax"
 *   data-mark="optimal"  mark η*, γ* of the quadratic analysis (GD and heavy ball)
 *   data-race            adds a step slider and play/pause
 *   data-ranges    JSON {name: [min, max]}: narrower slider ranges, e.g. {"lr": [0.01, 1]}
 *   data-choose    comma list of rules: a selector that shows one of them at a time
 */
(function (global) {
  "use strict";

  // ------------------------------------------------------------------ functions
  // Same expressions, same order of operations as d2lutils/analysis/functions.py.
  function sq(v) { return v * v; }

  function quadratic(p) {
    p = p || {};
    var b = p.b !== undefined ? +p.b : 2.0;
    var a = p.kappa !== undefined ? b / p.kappa : (p.a !== undefined ? +p.a : 0.1);
    return {
      name: "quadratic", dim: 2, a: a, b: b, fstar: 0, minimizers: [[0, 0]],
      formula: "f(x) = " + (a === 1 ? "" : fmt(a) + " ") + "x₁² + " + (b === 1 ? "" : fmt(b) + " ") + "x₂²",
      value: function (x) { return a * sq(x[0]) + b * sq(x[1]); },
      grad: function (x) { return [2 * a * x[0], 2 * b * x[1]]; },
      hess: function () { return [[2 * a, 0], [0, 2 * b]]; },
      view: [-6, 6, -3.5, 3.5], start: [-5, -2],
    };
  }

  function illConditioned(p) {
    p = p || {};
    var kappa = p.kappa !== undefined ? +p.kappa : 20, scale = p.scale !== undefined ? +p.scale : 2.0;
    var f = quadratic({a: 0.5 * scale / kappa, b: 0.5 * scale});
    f.name = "ill_conditioned";
    return f;
  }

  function saddle() {
    return {
      name: "saddle", dim: 2, fstar: null, minimizers: [], linearLevels: true,
      formula: "f(x) = x₁² − x₂²",
      value: function (x) { return sq(x[0]) - sq(x[1]); },
      grad: function (x) { return [2 * x[0], -2 * x[1]]; },
      hess: function () { return [[2, 0], [0, -2]]; },
      view: [-2, 2, -2, 2], start: [-1.5, 0.05],
    };
  }

  function rosenbrock(p) {
    p = p || {};
    var a = p.a !== undefined ? +p.a : 1.0, b = p.b !== undefined ? +p.b : 100.0;
    return {
      name: "rosenbrock", dim: 2, fstar: 0, minimizers: [[a, a * a]],
      formula: "f(x) = (" + fmt(a) + " − x₁)² + " + fmt(b) + " (x₂ − x₁²)²",
      value: function (x) { return sq(a - x[0]) + b * sq(x[1] - sq(x[0])); },
      grad: function (x) {
        var x1 = x[0], x2 = x[1];
        return [-2 * (a - x1) - 4 * b * x1 * (x2 - sq(x1)), 2 * b * (x2 - sq(x1))];
      },
      hess: function (x) {
        var x1 = x[0], x2 = x[1];
        return [[2 - 4 * b * (x2 - sq(x1)) + 8 * b * sq(x1), -4 * b * x1], [-4 * b * x1, 2 * b]];
      },
      view: [-2, 2, -1, 3], start: [-1.2, 1],
    };
  }

  var BEALE_C = [1.5, 2.25, 2.625];
  function bealeTerms(x1, x2) {
    var out = [];
    for (var k = 1; k <= 3; k++) {
      var c = BEALE_C[k - 1];
      out.push({
        r: c - x1 * (1 - Math.pow(x2, k)),
        d1: -(1 - Math.pow(x2, k)),
        d2: k * x1 * Math.pow(x2, k - 1),
        d12: k * Math.pow(x2, k - 1),
        d22: k >= 2 ? k * (k - 1) * x1 * Math.pow(x2, k - 2) : 0,
      });
    }
    return out;
  }
  function beale() {
    return {
      name: "beale", dim: 2, fstar: 0, minimizers: [[3, 0.5]],
      formula: "f(x) = Σₖ (cₖ − x₁(1 − x₂ᵏ))²",
      value: function (x) {
        var t = bealeTerms(x[0], x[1]);
        return sq(t[0].r) + sq(t[1].r) + sq(t[2].r);
      },
      grad: function (x) {
        var t = bealeTerms(x[0], x[1]);
        return [2 * t[0].r * t[0].d1 + 2 * t[1].r * t[1].d1 + 2 * t[2].r * t[2].d1,
                2 * t[0].r * t[0].d2 + 2 * t[1].r * t[1].d2 + 2 * t[2].r * t[2].d2];
      },
      hess: function (x) {
        var t = bealeTerms(x[0], x[1]), h11 = 0, h12 = 0, h22 = 0;
        for (var k = 0; k < 3; k++) {
          var q = t[k];
          h11 += 2 * q.d1 * q.d1;
          h12 += 2 * (q.d1 * q.d2 + q.r * q.d12);
          h22 += 2 * (q.d2 * q.d2 + q.r * q.d22);
        }
        return [[h11, h12], [h12, h22]];
      },
      view: [-4.5, 4.5, -4.5, 4.5], start: [1, 1.5],
    };
  }

  function himmelblau() {
    return {
      name: "himmelblau", dim: 2, fstar: 0,
      minimizers: [[3, 2], [-2.805118086952745, 3.131312518250573],
                   [-3.779310253377747, -3.283185991286170], [3.584428340330492, -1.848126526964404]],
      formula: "f(x) = (x₁² + x₂ − 11)² + (x₁ + x₂² − 7)²",
      value: function (x) { return sq(sq(x[0]) + x[1] - 11) + sq(x[0] + sq(x[1]) - 7); },
      grad: function (x) {
        var u = sq(x[0]) + x[1] - 11, v = x[0] + sq(x[1]) - 7;
        return [4 * x[0] * u + 2 * v, 2 * u + 4 * x[1] * v];
      },
      hess: function (x) {
        var u = sq(x[0]) + x[1] - 11, v = x[0] + sq(x[1]) - 7, h12 = 4 * x[0] + 4 * x[1];
        return [[4 * u + 8 * sq(x[0]) + 2, h12], [h12, 2 + 4 * v + 8 * sq(x[1])]];
      },
      view: [-5, 5, -5, 5], start: [0, 0],
    };
  }

  // The 1-D functions of chapters 2 and 3 (in the core for completeness; the canvas is 2-D).
  function xcos(p) {
    var c = p && p.c !== undefined ? +p.c : Math.PI;
    return {
      name: "xcos", dim: 1, fstar: null, minimizers: [],
      value: function (x) { return x[0] * Math.cos(c * x[0]); },
      grad: function (x) { return [Math.cos(c * x[0]) - c * x[0] * Math.sin(c * x[0])]; },
      hess: function (x) { return [[-2 * c * Math.sin(c * x[0]) - c * c * x[0] * Math.cos(c * x[0])]]; },
    };
  }
  function square() {
    return {
      name: "square", dim: 1, fstar: 0, minimizers: [[0]],
      value: function (x) { return sq(x[0]); },
      grad: function (x) { return [2 * x[0]]; },
      hess: function () { return [[2]]; },
    };
  }

  var FUNCTIONS = {quadratic: quadratic, ill_conditioned: illConditioned, saddle: saddle,
                   rosenbrock: rosenbrock, beale: beale, himmelblau: himmelblau, xcos: xcos, square: square};

  function makeFunction(name, params) {
    if (!FUNCTIONS[name]) throw new Error("unknown function " + name);
    return FUNCTIONS[name](params || {});
  }

  // ------------------------------------------------------------------ update rules
  // Per coordinate, same operations in the same order as d2lutils/optim/rules.py.
  function zeros(n) { var z = []; for (var i = 0; i < n; i++) z.push(0); return z; }
  function stateOf(names) {
    return function (n) { var s = {t: 0}; names.forEach(function (k) { s[k] = zeros(n); }); return s; };
  }

  function adamStep(p, g, st, hp, amsgrad) {
    var b1 = hp.beta1, b2 = hp.beta2;
    st.t += 1;
    var c1 = 1 - Math.pow(b1, st.t), c2 = 1 - Math.pow(b2, st.t);
    var paper = (hp.eps_form || "paper") === "paper";
    for (var i = 0; i < p.length; i++) {
      st.v[i] = st.v[i] * b1;
      st.v[i] = st.v[i] + (1 - b1) * g[i];
      st.s[i] = st.s[i] * b2;
      st.s[i] = st.s[i] + (1 - b2) * g[i] * g[i];
      var s = st.s[i];
      if (amsgrad) { st.s_max[i] = Math.max(st.s_max[i], st.s[i]); s = st.s_max[i]; }
      if (paper) p[i] = p[i] - hp.lr * (st.v[i] / c1) / (Math.sqrt(s / c2) + hp.eps);
      else p[i] = p[i] - hp.lr * Math.sqrt(c2) / c1 * st.v[i] / (Math.sqrt(s) + hp.eps);
    }
  }

  var RULES = {
    sgd: {defaults: {lr: 0.1}, init: stateOf([]),
      update: function (p, g, st, hp) { for (var i = 0; i < p.length; i++) p[i] = p[i] - hp.lr * g[i]; }},
    momentum: {defaults: {lr: 0.1, momentum: 0.5}, init: stateOf(["v"]),
      update: function (p, g, st, hp) {
        for (var i = 0; i < p.length; i++) {
          st.v[i] = st.v[i] * hp.momentum;
          st.v[i] = st.v[i] + hp.lr * g[i];
          p[i] = p[i] - st.v[i];
        }
      }},
    nesterov: {defaults: {lr: 0.1, momentum: 0.5}, init: stateOf(["v"]),
      update: function (p, g, st, hp) {
        for (var i = 0; i < p.length; i++) {
          st.v[i] = st.v[i] * hp.momentum;
          st.v[i] = st.v[i] + hp.lr * g[i];
          p[i] = p[i] - (hp.momentum * st.v[i] + hp.lr * g[i]);
        }
      }},
    adagrad: {defaults: {lr: 0.1, eps: 1e-6}, init: stateOf(["s"]),
      update: function (p, g, st, hp) {
        for (var i = 0; i < p.length; i++) {
          st.s[i] = st.s[i] + g[i] * g[i];
          p[i] = p[i] - hp.lr * g[i] / Math.sqrt(st.s[i] + hp.eps);
        }
      }},
    rmsprop: {defaults: {lr: 0.01, gamma: 0.9, eps: 1e-6}, init: stateOf(["s"]),
      update: function (p, g, st, hp) {
        for (var i = 0; i < p.length; i++) {
          st.s[i] = st.s[i] * hp.gamma;
          st.s[i] = st.s[i] + (1 - hp.gamma) * g[i] * g[i];
          p[i] = p[i] - hp.lr * g[i] / Math.sqrt(st.s[i] + hp.eps);
        }
      }},
    adadelta: {defaults: {lr: 1.0, rho: 0.9, eps: 1e-5}, init: stateOf(["s", "delta"]),
      update: function (p, g, st, hp) {
        var rho = hp.rho, eps = hp.eps;
        for (var i = 0; i < p.length; i++) {
          st.s[i] = st.s[i] * rho;
          st.s[i] = st.s[i] + (1 - rho) * g[i] * g[i];
          var gr = Math.sqrt(st.delta[i] + eps) / Math.sqrt(st.s[i] + eps) * g[i];
          p[i] = p[i] - hp.lr * gr;
          st.delta[i] = st.delta[i] * rho;
          st.delta[i] = st.delta[i] + (1 - rho) * gr * gr;
        }
      }},
    adam: {defaults: {lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8}, init: stateOf(["v", "s"]),
      update: function (p, g, st, hp) { adamStep(p, g, st, hp, false); }},
    amsgrad: {defaults: {lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8}, init: stateOf(["v", "s", "s_max"]),
      update: function (p, g, st, hp) { adamStep(p, g, st, hp, true); }},
    adamw: {defaults: {lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7, weight_decay: 0.004},
      init: stateOf(["v", "s"]),
      update: function (p, g, st, hp) {        // decoupled decay first, then Adam (framework eps)
        for (var i = 0; i < p.length; i++) p[i] = p[i] - hp.lr * hp.weight_decay * p[i];
        var h = {}, k;
        for (k in hp) h[k] = hp[k];
        h.eps_form = "framework";
        adamStep(p, g, st, h, false);
      }},
    nadam: {defaults: {lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7, schedule_decay: 0.004},
      init: function (n) { var s = stateOf(["m", "s"])(n); s.mu_product = 1; return s; },
      update: function (p, g, st, hp) {
        var b1 = hp.beta1, b2 = hp.beta2, d = hp.schedule_decay;
        st.t += 1;
        var muT = b1 * (1 - 0.5 * Math.pow(0.96, st.t * d));
        var muNext = b1 * (1 - 0.5 * Math.pow(0.96, (st.t + 1) * d));
        st.mu_product = st.mu_product * muT;
        for (var i = 0; i < p.length; i++) {
          st.m[i] = st.m[i] * b1;
          st.m[i] = st.m[i] + (1 - b1) * g[i];
          st.s[i] = st.s[i] * b2;
          st.s[i] = st.s[i] + (1 - b2) * g[i] * g[i];
          var mHat = muNext * st.m[i] / (1 - st.mu_product * muNext) + (1 - muT) * g[i] / (1 - st.mu_product);
          p[i] = p[i] - hp.lr * mHat / (Math.sqrt(st.s[i] / (1 - Math.pow(b2, st.t))) + hp.eps);
        }
      }},
    yogi: {defaults: {lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-3}, init: stateOf(["v", "s"]),
      update: function (p, g, st, hp) {       // Adam with s <- s - (1 - b2) sign(s - g^2) g^2
        var b1 = hp.beta1, b2 = hp.beta2;
        st.t += 1;
        var c1 = 1 - Math.pow(b1, st.t), c2 = 1 - Math.pow(b2, st.t);
        for (var i = 0; i < p.length; i++) {
          st.v[i] = st.v[i] * b1;
          st.v[i] = st.v[i] + (1 - b1) * g[i];
          var g2 = g[i] * g[i];
          st.s[i] = st.s[i] - (1 - b2) * Math.sign(st.s[i] - g2) * g2;
          p[i] = p[i] - hp.lr * (st.v[i] / c1) / (Math.sqrt(st.s[i] / c2) + hp.eps);
        }
      }},
    adamax: {defaults: {lr: 0.002, beta1: 0.9, beta2: 0.999, eps: 1e-7}, init: stateOf(["v", "u"]),
      update: function (p, g, st, hp) {       // the infinity norm: u <- max(b2 u, |g|)
        var b1 = hp.beta1;
        st.t += 1;
        for (var i = 0; i < p.length; i++) {
          st.v[i] = st.v[i] * b1;
          st.v[i] = st.v[i] + (1 - b1) * g[i];
          st.u[i] = Math.max(hp.beta2 * st.u[i], Math.abs(g[i]));
          p[i] = p[i] - hp.lr / (1 - Math.pow(b1, st.t)) * st.v[i] / (st.u[i] + hp.eps);
        }
      }},
  };

  function resolve(rule, hp) {
    if (!RULES[rule]) throw new Error("unknown rule " + rule);
    var out = {}, k;
    for (k in RULES[rule].defaults) out[k] = RULES[rule].defaults[k];
    for (k in hp || {}) out[k] = hp[k];
    return out;
  }

  function escaped(x, bound) {
    for (var i = 0; i < x.length; i++) if (!isFinite(x[i]) || Math.abs(x[i]) > bound) return true;
    return false;
  }

  /* Run `steps` updates of `rule` from x0 on fn.grad: {points, diverged}.
   * Stops (diverged) as soon as a coordinate is not finite or |x_i| > bound,
   * like d2lutils.optim.trajectory (the escaped point is not kept). */
  function trajectory(rule, fn, x0, steps, hp, bound) {
    bound = bound === undefined ? 1e6 : bound;
    var h = resolve(rule, hp), r = RULES[rule], x = x0.slice(), st = r.init(x.length);
    var points = [x.slice()];
    for (var t = 1; t <= steps; t++) {
      r.update(x, fn.grad(x.slice()), st, h);
      if (escaped(x, bound)) return {points: points, diverged: true};
      points.push(x.slice());
    }
    return {points: points, diverged: false};
  }

  /* Solve H d = g as LAPACK getrf/getrs do for n <= 2 (partial pivoting,
   * multiplier a21 * (1 / a11)); null if H is singular. */
  function solve(H, g) {
    if (H.length === 1) return H[0][0] === 0 ? null : [g[0] / H[0][0]];
    var a11 = H[0][0], a12 = H[0][1], a21 = H[1][0], a22 = H[1][1], b1 = g[0], b2 = g[1], swap = false;
    if (Math.abs(a21) > Math.abs(a11)) {
      swap = true;
      var t = a11; a11 = a21; a21 = t; t = a12; a12 = a22; a22 = t; t = b1; b1 = b2; b2 = t;
    }
    if (a11 === 0) return null;
    var l = a21 * (1 / a11), u22 = a22 - l * a12, y2 = b2 - l * b1;
    if (u22 === 0) return null;
    var x2 = y2 / u22;
    return [(b1 - a12 * x2) / a11, x2];
  }

  /* Newton's method x <- x - lr H^{-1} grad, as d2lutils.optim.newton_trajectory. */
  function newtonTrajectory(fn, x0, steps, lr, bound) {
    bound = bound === undefined ? 1e6 : bound;
    lr = lr === undefined ? 1.0 : lr;
    var x = x0.slice(), points = [x.slice()];
    for (var t = 0; t < steps; t++) {
      var d = solve(fn.hess(x), fn.grad(x));
      if (d === null) return {points: points, diverged: true};
      var nx = [];
      for (var i = 0; i < x.length; i++) nx.push(x[i] - lr * d[i]);
      x = nx;
      if (escaped(x, bound)) return {points: points, diverged: true};
      points.push(x.slice());
    }
    return {points: points, diverged: false};
  }

  function run(rule, fn, x0, steps, hp) {
    if (rule === "newton") return newtonTrajectory(fn, x0, steps, (hp && hp.lr) || 1.0);
    return trajectory(rule, fn, x0, steps, hp);
  }

  /* Number for display: 3 significant digits, exponent form when tiny or huge. */
  function fmt(v) {
    if (v === 0) return "0";
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace("e+", "e");
    return String(parseFloat(v.toPrecision(3)));
  }

  // ------------------------------------------------------------------ slider scales (no DOM)
  // scale: log (slider over log10 v), beta (slider over log10(1 - v)), lin
  var HP = {
    lr: {label: "学习率 η", scale: "log", min: 1e-4, max: 10},
    momentum: {label: "动量 γ", scale: "lin", min: 0, max: 0.99, step: 0.01},
    gamma: {label: "衰减率 γ", scale: "beta", min: 1e-4, max: 1},
    rho: {label: "衰减率 ρ", scale: "beta", min: 1e-4, max: 1},
    beta1: {label: "β₁", scale: "beta", min: 1e-4, max: 1},
    beta2: {label: "β₂", scale: "beta", min: 1e-5, max: 1},
    eps: {label: "ε", scale: "log", min: 1e-10, max: 1},
    weight_decay: {label: "权重衰减 λ", scale: "log", min: 1e-4, max: 1},
    schedule_decay: {label: "动量时间表 d", scale: "log", min: 1e-4, max: 1},
  };
  function nice(v, digits) { return parseFloat(v.toPrecision(digits)); }

  // Log-scale sliders step through round numbers (…, 0.1, 0.11, …, 0.75, 0.8, …): about 34
  // per decade, so 0.4, 0.5 or 0.75 can be chosen exactly. Decay rates step through round
  // values of 1 − β (…, 0.9, 0.95, 0.99, 0.999). The slider's value is the index.
  var MANTISSAS = [1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2, 2.2, 2.4, 2.5, 2.6, 2.8, 3, 3.2, 3.5,
                   3.8, 4, 4.2, 4.5, 4.8, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5];
  function steps(meta) {
    if (meta.keys) return meta.keys;
    var keys = [], lo = Math.log10(meta.min) - 1e-9, hi = Math.log10(meta.max) + 1e-9, beta = meta.scale === "beta";
    for (var d = Math.floor(lo); d <= Math.ceil(hi); d++) {
      MANTISSAS.forEach(function (m) {
        var k = Math.log10(nice(m * Math.pow(10, d), 3));
        if (k >= lo && k <= hi) keys.push(beta ? -k : k);
      });
    }
    // ascending keys: log10(value) for log sliders, −log10(1 − β) for decay rates (β grows to the right)
    meta.keys = keys.sort(function (a, b) { return a - b; });
    return meta.keys;
  }
  function toValue(meta, pos) {
    if (meta.scale === "lin") return nice(pos, 6);
    var key = steps(meta)[pos];
    return meta.scale === "log" ? nice(Math.pow(10, key), 3) : nice(1 - nice(Math.pow(10, -key), 3), 6);
  }
  // slider position of value v (fractional: between two stops it interpolates)
  function toPos(meta, v) {
    if (meta.scale === "lin") return v;
    var keys = steps(meta), k = meta.scale === "log" ? Math.log10(v) : -Math.log10(Math.max(1 - v, 1e-300));
    if (k <= keys[0]) return 0;
    for (var i = 1; i < keys.length; i++) {
      if (k <= keys[i]) return i - 1 + (k - keys[i - 1]) / (keys[i] - keys[i - 1]);
    }
    return keys.length - 1;
  }
  var core = {FUNCTIONS: FUNCTIONS, RULES: RULES, makeFunction: makeFunction, trajectory: trajectory,
              newtonTrajectory: newtonTrajectory, solve: solve, run: run, fmt: fmt,
              HP: HP, sliderStops: steps, toValue: toValue, toPos: toPos};
  if (typeof module !== "undefined" && module.exports) { module.exports = core; return; }
  if (typeof document === "undefined") { global.OptimCore = core; return; }
  if (global.OptimPlayground) { global.OptimPlayground.initAll(true); return; }  // a second <script> tag

  // ------------------------------------------------------------------ browser part
  var doc = document;
  var SCRIPT = doc.currentScript;
  var COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#7F3C8D", "#8C6D31"];
  /* One colour per optimizer, the same as in the book's matplotlib figures: the site build
   * (book/_assets/optimizer_colors.py) writes d2lutils.figures.colors.OPTIMIZER_COLORS into
   * the page as window.OPTIM_COLORS. The palette above is only a fallback (Node tests). */
  function colorOf(rule, idx) {
    var table = global.OPTIM_COLORS;
    return (table && table[rule]) || COLORS[idx % COLORS.length];
  }
  var RULE_NAMES = {sgd: "梯度下降", momentum: "动量法", nesterov: "Nesterov 动量", adagrad: "AdaGrad",
                    rmsprop: "RMSProp", adadelta: "AdaDelta", adam: "Adam", amsgrad: "AMSGrad",
                    adamw: "AdamW", nadam: "Nadam", yogi: "Yogi", adamax: "AdaMax", newton: "牛顿法"};
  var FN_NAMES = {quadratic: "病态二次函数", ill_conditioned: "病态二次函数", saddle: "鞍点 x₁² − x₂²",
                  rosenbrock: "Rosenbrock 香蕉谷", beale: "Beale 函数", himmelblau: "Himmelblau（四个极小点）"};
  var NEWTON_LR = {label: "步长 η", scale: "log", min: 0.01, max: 2};
  var uid = 0;

  function el(tag, attrs, text) {
    var e = doc.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function nums(s) { return s ? s.split(",").map(Number) : null; }
  function list(s) { return s ? s.split(",").map(function (v) { return v.trim(); }).filter(Boolean) : null; }
  function json(s) { try { return s ? JSON.parse(s) : {}; } catch (e) { return {}; } }
  function range(meta) {
    if (meta.scale === "lin") return [meta.min, meta.max, meta.step];
    return [0, steps(meta).length - 1, 1];
  }

  function Playground(root) {
    this.root = root;
    var d = root.dataset;
    this.id = "opg" + (++uid);
    this.fnName = d.fn || "quadratic";
    this.fnParams = json(d.fnParams);
    this.functions = list(d.functions);
    this.choose = list(d.choose);   // data-choose: a selector of optimizers (one shown at a time)
    this.rules = list(d.rules) || (this.choose ? [this.choose[0]] : ["sgd"]);
    this.rulesInit = this.rules.slice();
    this.hpInit = json(d.hp);
    this.shared = list(d.shared) || [];
    this.controls = list(d.controls);
    this.ranges = json(d.ranges);   // {name: [min, max]} narrows a slider
    this.mark = d.mark === "optimal";
    // Every playground can race (play the runs step by step) unless data-race="off".
    this.race = d.race !== "off";
    this.startInit = nums(d.start);
    this.stepsInit = d.steps ? +d.steps : 50;
    this.viewInit = nums(d.view);
    this.reduced = global.matchMedia && global.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.build();
    this.reset();
  }

  Playground.prototype.shows = function (name) {
    return !this.controls || this.controls.indexOf(name) >= 0;
  };

  Playground.prototype.build = function () {
    var self = this, root = this.root, id = this.id;
    root.textContent = "";
    root.classList.add("opg");
    var figure = el("div", {"class": "opg-figure"});
    this.canvas = el("canvas", {"class": "opg-canvas", tabindex: "0", role: "img",
                                "aria-describedby": id + "-summary"});
    this.lossCanvas = el("canvas", {"class": "opg-loss", role: "img"});
    figure.appendChild(this.canvas);
    figure.appendChild(this.lossCanvas);
    root.appendChild(figure);
    this.legend = el("ul", {"class": "opg-legend"});
    root.appendChild(this.legend);
    this.caption = el("p", {"class": "opg-caption"});
    root.appendChild(this.caption);
    this.summary = el("p", {"class": "opg-sr", id: id + "-summary", "aria-live": "polite"});
    root.appendChild(this.summary);
    var form = el("div", {"class": "opg-controls"});
    root.appendChild(form);
    this.form = form;
    this.buildControls();

    // dragging the start point: pointer events cover mouse, pen and touch
    var dragging = false;

    function moveTo(ev) {
      var r = self.canvas.getBoundingClientRect();
      self.start = self.toWorld(ev.clientX - r.left, ev.clientY - r.top);
      self.update();
    }
    this.canvas.addEventListener("pointerdown", function (ev) {
      dragging = true;
      if (self.canvas.setPointerCapture) self.canvas.setPointerCapture(ev.pointerId);
      self.canvas.focus({preventScroll: true});
      moveTo(ev);
      ev.preventDefault();
    });
    this.canvas.addEventListener("pointermove", function (ev) { if (dragging) moveTo(ev); });
    function end() { dragging = false; }
    this.canvas.addEventListener("pointerup", end);
    this.canvas.addEventListener("pointercancel", end);
    this.canvas.addEventListener("keydown", function (ev) {
      var dirs = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1]};
      var dv = dirs[ev.key];
      if (!dv) return;
      var v = self.view, f = ev.shiftKey ? 0.1 : 0.02;
      self.start = [self.start[0] + dv[0] * f * (v[1] - v[0]), self.start[1] + dv[1] * f * (v[3] - v[2])];
      self.update();
      ev.preventDefault();
    });
    var lastWidth = 0;
    function relayout() {
      var w = root.clientWidth;
      if (w && w !== lastWidth) { lastWidth = w; self.layout(); }
    }
    if (global.ResizeObserver) new ResizeObserver(relayout).observe(root);
    else global.addEventListener("resize", relayout);
  };

  Playground.prototype.buildControls = function () {
    var self = this, form = this.form, id = this.id;
    form.textContent = "";
    this.inputs = {};   // key -> {input, output, meta, targets: [[rule, hp]]}
    if (this.choose) {   // one optimizer at a time, chosen from a list
      var rrow = el("div", {"class": "opg-row"}), rsel = el("select", {id: id + "-rule", "class": "opg-rule"});
      rrow.appendChild(el("label", {"for": id + "-rule"}, "优化器"));
      this.choose.forEach(function (n) { rsel.appendChild(el("option", {value: n}, RULE_NAMES[n] || n)); });
      rsel.value = this.rules[0];
      rsel.addEventListener("change", function () {
        self.stop();
        self.rules = [rsel.value];
        self.buildControls();
        self.resetHp();
        self.setFunction(self.fnName, self.fnParams, true);
        self.form.querySelector("select.opg-rule").focus();
      });
      rrow.appendChild(rsel);
      form.appendChild(rrow);
    }
    if (this.functions) {
      var row = el("div", {"class": "opg-row"}), sel = el("select", {id: id + "-fn"});
      row.appendChild(el("label", {"for": id + "-fn"}, "函数"));
      this.functions.forEach(function (n) { sel.appendChild(el("option", {value: n}, FN_NAMES[n] || n)); });
      sel.value = this.fnName;
      sel.addEventListener("change", function () { self.setFunction(sel.value, {}); });
      row.appendChild(sel);
      form.appendChild(row);
      this.fnSelect = sel;
    }
    if (this.shows("kappa")) {
      this.addSlider(form, "kappa", {label: "条件数 κ", scale: "log", min: 1, max: 1000}, [], function (v) {
        self.fnParams.kappa = v;
        self.setFunction(self.fnName, self.fnParams, true);
      });
    }
    // hyperparameters: one control per (rule, name), or one per name if shared
    var groups = {};
    this.rules.forEach(function (rule, i) {
      var names = rule === "newton" ? ["lr"] : Object.keys(RULES[rule].defaults);
      names.forEach(function (name) {
        if (!self.shows(name)) return;
        var meta = rule === "newton" ? NEWTON_LR : HP[name];
        var key = self.shared.indexOf(name) >= 0 || self.rules.length === 1 ? name : rule + "." + name;
        if (self.inputs[key]) { self.inputs[key].targets.push([rule, name]); return; }
        var box = form;
        if (key !== name) {
          if (!groups[rule]) {
            groups[rule] = el("fieldset", {"class": "opg-group"});
            var lg = el("legend");
            lg.appendChild(el("span", {"class": "opg-swatch", style: "background:" + colorOf(rule, i)}));
            lg.appendChild(doc.createTextNode(RULE_NAMES[rule]));
            groups[rule].appendChild(lg);
            form.appendChild(groups[rule]);
          }
          box = groups[rule];
        }
        self.addSlider(box, key, meta, [[rule, name]], function () { self.update(); });
      });
    });
    if (this.shows("steps")) {
      this.addSlider(form, "steps", {label: "步数 T", scale: "lin", min: 1, max: 500, step: 1}, [], function (v) {
        self.steps = v;
        if (self.race && !self.playing) self.shown = v;
        self.update();
      });
    }
    if (this.mark) {
      this.optimal = el("p", {"class": "opg-optimal"});
      form.appendChild(this.optimal);
    }
    var buttons = el("div", {"class": "opg-row opg-buttons"});
    if (this.race) {
      this.playButton = el("button", {type: "button", "class": "opg-play"}, "▶ 播放");
      this.playButton.addEventListener("click", function () { self.togglePlay(); });
      buttons.appendChild(this.playButton);
      this.addSlider(buttons, "shown", {label: "显示前 t 步", scale: "lin", min: 0, max: 500, step: 1}, [],
                     function (v) { self.stop(); self.shown = v; self.draw(); });
    }
    if (this.mark) {
      var best = el("button", {type: "button", "class": "opg-best"},
                    this.rules.indexOf("momentum") >= 0 ? "取最优 η*, γ*" : "取最优 η*");
      best.addEventListener("click", function () { self.useOptimal(); });
      buttons.appendChild(best);
    }
    var reset = el("button", {type: "button", "class": "opg-reset"}, "重置");
    reset.addEventListener("click", function () { self.stop(); self.reset(); });
    buttons.appendChild(reset);
    // Right under the plot (before the legend): on a phone the plot and its play control fit
    // on one screen, so the race can be watched.
    // (buildControls runs again when the optimizer selector changes: one row, not two.)
    if (this.buttons) this.buttons.remove();
    this.buttons = buttons;
    this.root.insertBefore(buttons, this.legend);
  };

  Playground.prototype.addSlider = function (box, key, meta, targets, onInput) {
    var limits = this.ranges[key.split(".").pop()];
    if (limits) {   // for decay rates the limits are given as values of β (the slider runs over 1 − β)
      var beta = meta.scale === "beta";
      meta = {label: meta.label, scale: meta.scale, step: meta.step,
              min: beta ? 1 - limits[1] : limits[0], max: beta ? 1 - limits[0] : limits[1]};
    }
    var id = this.id + "-" + key.replace(".", "-"), r = range(meta), self = this;
    var row = el("div", {"class": "opg-row"});
    row.appendChild(el("label", {"for": id}, meta.label));
    var wrap = el("span", {"class": "opg-track"});
    var input = el("input", {type: "range", id: id, min: r[0], max: r[1], step: r[2]});
    wrap.appendChild(input);
    row.appendChild(wrap);
    var out = el("output", {"for": id});
    row.appendChild(out);
    box.appendChild(row);
    var entry = {input: input, output: out, meta: meta, targets: targets, wrap: wrap};
    this.inputs[key] = entry;
    input.addEventListener("input", function () {
      var v = toValue(meta, +input.value);
      self.show(entry, v);
      targets.forEach(function (t) { self.hp[t[0]][t[1]] = v; });
      onInput(v);
    });
  };

  Playground.prototype.show = function (entry, v) {
    // Whole numbers as they are (steps); anything else with 3 significant digits (a computed
    // optimum like γ* = 0.40260548415522257 squeezed the row).
    var text = entry.meta.scale === "lin" && Number.isInteger(v) ? String(v) : fmt(v);
    entry.output.textContent = text;
    entry.input.setAttribute("aria-valuetext", entry.meta.label + " = " + text);
  };

  Playground.prototype.setControl = function (key, v) {
    var entry = this.inputs[key];
    if (!entry) return;
    var r = range(entry.meta), pos = Math.min(r[1], Math.max(r[0], toPos(entry.meta, v)));
    entry.input.value = entry.meta.scale === "lin" ? pos : Math.round(pos);
    this.show(entry, v);
  };

  Playground.prototype.reset = function () {
    if (this.choose && this.rules.join() !== this.rulesInit.join()) {
      this.rules = this.rulesInit.slice();
      this.buildControls();
    }
    this.resetHp();
    this.steps = this.stepsInit;
    this.shown = this.stepsInit;
    this.setControl("steps", this.steps);
    this.setControl("shown", this.shown);
    this.fnParams = json(this.root.dataset.fnParams);
    var name = this.root.dataset.fn || "quadratic";
    if (this.fnSelect) this.fnSelect.value = name;
    this.setFunction(name, this.fnParams, false, true);
  };

  Playground.prototype.resetHp = function () {
    var self = this;
    this.hp = {};
    this.rules.forEach(function (rule) {
      var h = rule === "newton" ? {lr: 1.0} : resolve(rule, {});
      var given = self.hpInit[rule] || {};
      for (var k in given) h[k] = given[k];
      self.hp[rule] = h;
    });
    for (var key in this.inputs) {
      var t = this.inputs[key].targets;
      if (t.length) this.setControl(key, this.hp[t[0][0]][t[0][1]]);
    }
    if (this.steps !== undefined) {
      this.setControl("steps", this.steps);
      this.setControl("shown", this.shown);
    }
  };

  Playground.prototype.setFunction = function (name, params, keepView, initial) {
    var changed = name !== this.fnName || initial;
    this.fnName = name;
    this.fnParams = params;
    this.fn = makeFunction(name, params);
    if (this.inputs.kappa) {   // κ only for the quadratics
      var row = this.inputs.kappa.wrap.parentNode;
      row.hidden = this.fn.a === undefined;
      if (this.fn.a !== undefined) this.setControl("kappa", Math.max(this.fn.a, this.fn.b) / Math.min(this.fn.a, this.fn.b));
    }
    if (changed || !keepView) {
      this.baseView = (initial && this.viewInit) || this.fn.view;
      if (changed) this.start = ((initial && this.startInit) || this.fn.start).slice();
    }
    this.layout();
  };

  // Size the canvases to the column; equal aspect (the view grows to fill the box).
  Playground.prototype.layout = function () {
    var w = Math.max(200, Math.floor(this.root.clientWidth || 600)), v = this.baseView;
    var ratio = Math.min(w < 500 ? 1 : 0.75, Math.max(0.5, (v[3] - v[2]) / (v[1] - v[0])));
    var h = Math.round(w * ratio);
    var cx = (v[0] + v[1]) / 2, cy = (v[2] + v[3]) / 2;
    var scale = Math.max((v[1] - v[0]) / w, (v[3] - v[2]) / h);
    this.view = [cx - scale * w / 2, cx + scale * w / 2, cy - scale * h / 2, cy + scale * h / 2];
    this.W = w; this.H = h;
    this.LW = w; this.LH = Math.round(Math.min(140, Math.max(100, w * 0.22)));
    var dpr = global.devicePixelRatio || 1;
    [[this.canvas, w, h], [this.lossCanvas, this.LW, this.LH]].forEach(function (c) {
      c[0].width = Math.round(c[1] * dpr);
      c[0].height = Math.round(c[2] * dpr);
      c[0].style.height = c[2] + "px";
      c[0].getContext("2d").setTransform(dpr, 0, 0, dpr, 0, 0);
    });
    this.background = this.contours(dpr);
    this.update();
  };

  Playground.prototype.toPx = function (x, y) {
    var v = this.view;
    var px = (x - v[0]) / (v[1] - v[0]) * this.W, py = (1 - (y - v[2]) / (v[3] - v[2])) * this.H;
    return [Math.max(-1e4, Math.min(1e4, px)), Math.max(-1e4, Math.min(1e4, py))];
  };
  Playground.prototype.toWorld = function (px, py) {
    var v = this.view;
    return [v[0] + px / this.W * (v[1] - v[0]), v[2] + (1 - py / this.H) * (v[3] - v[2])];
  };

  // Filled, log-spaced contours on an offscreen canvas (redone only when f or the size changes).
  Playground.prototype.contours = function (dpr) {
    var fn = this.fn, W = this.W, H = this.H, cell = 4;
    var nx = Math.ceil(W / cell) + 1, ny = Math.ceil(H / cell) + 1, z = new Float64Array(nx * ny);
    var lo = Infinity, hi = -Infinity, i, j, k;
    var fstar = fn.fstar === null ? null : fn.fstar;
    for (j = 0; j < ny; j++) {
      for (i = 0; i < nx; i++) {
        var p = this.toWorld(i * cell, j * cell), f = fn.value(p);
        z[j * nx + i] = f;
        if (f < lo) lo = f;
        if (f > hi) hi = f;
      }
    }
    if (fstar !== null) {   // log10(f - f*), floored 7 decades below the top
      var top = Math.log10(hi - fstar), floor = top - 7;
      for (k = 0; k < z.length; k++) z[k] = Math.max(floor, Math.log10(Math.max(z[k] - fstar, 1e-300)));
      lo = Math.max(floor, Math.log10(Math.max(lo - fstar, 1e-300)));
      hi = top;
    }
    var off = doc.createElement("canvas");
    off.width = Math.round(W * dpr); off.height = Math.round(H * dpr);
    var ctx = off.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    // colour fill at grid resolution, scaled up smoothly
    var img = doc.createElement("canvas");
    img.width = nx; img.height = ny;
    var ic = img.getContext("2d"), data = ic.createImageData(nx, ny);
    for (k = 0; k < z.length; k++) {
      var t = hi > lo ? (z[k] - lo) / (hi - lo) : 0;
      data.data[4 * k] = Math.round(196 + 59 * t);
      data.data[4 * k + 1] = Math.round(220 + 35 * t);
      data.data[4 * k + 2] = Math.round(240 + 10 * t);
      data.data[4 * k + 3] = 255;
    }
    ic.putImageData(data, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(img, 0, 0, nx * cell, ny * cell);
    // contour lines by marching squares
    var nLevels = 14;
    ctx.strokeStyle = "rgba(40, 60, 90, 0.35)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (var L = 1; L <= nLevels; L++) {
      var c = lo + (hi - lo) * L / (nLevels + 1);
      for (j = 0; j < ny - 1; j++) {
        for (i = 0; i < nx - 1; i++) {
          var a = z[j * nx + i] - c, b = z[j * nx + i + 1] - c, d = z[(j + 1) * nx + i] - c, e = z[(j + 1) * nx + i + 1] - c;
          var pts = [];
          if ((a < 0) !== (b < 0)) pts.push((i + a / (a - b)) * cell, j * cell);
          if ((b < 0) !== (e < 0)) pts.push((i + 1) * cell, (j + b / (b - e)) * cell);
          if ((d < 0) !== (e < 0)) pts.push((i + d / (d - e)) * cell, (j + 1) * cell);
          if ((a < 0) !== (d < 0)) pts.push(i * cell, (j + a / (a - d)) * cell);
          for (var q = 0; q + 3 < pts.length; q += 4) {
            ctx.moveTo(pts[q], pts[q + 1]);
            ctx.lineTo(pts[q + 2], pts[q + 3]);
          }
        }
      }
    }
    ctx.stroke();
    // known minimizers
    ctx.fillStyle = "#333";
    fn.minimizers.forEach(function (m) {
      var p = this.toPx(m[0], m[1]);
      ctx.font = "14px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("★", p[0], p[1]);
    }, this);
    return off;
  };

  // Quadratic analysis: GD η* = 2/(L+μ) (diverges for η > 2/L); heavy ball η*, γ*.
  Playground.prototype.optimalValues = function () {
    var fn = this.fn;
    if (fn.a === undefined) return null;
    var L = 2 * Math.max(fn.a, fn.b), mu = 2 * Math.min(fn.a, fn.b), sL = Math.sqrt(L), sm = Math.sqrt(mu);
    return {gd: 2 / (L + mu), limit: 2 / L, lr: 4 / sq(sL + sm), momentum: sq((sL - sm) / (sL + sm))};
  };

  /* Convergence rate of heavy ball (GD: γ = 0) on the quadratic: the largest root modulus
   * of z² − (1 + γ − ηλ) z + γ = 0 over λ ∈ {μ, L}; the run diverges when it is ≥ 1. */
  function rate(lr, gamma, lams) {
    return Math.max.apply(null, lams.map(function (lam) {
      var b = 1 + gamma - lr * lam, disc = b * b - 4 * gamma;
      if (disc < 0) return Math.sqrt(gamma);
      return Math.max(Math.abs(b + Math.sqrt(disc)), Math.abs(b - Math.sqrt(disc))) / 2;
    }));
  }

  Playground.prototype.useOptimal = function () {
    var o = this.optimalValues();
    if (!o) return;
    var self = this;
    this.rules.forEach(function (rule) {
      if (rule === "sgd") self.hp.sgd.lr = o.gd;
      if (rule === "momentum") { self.hp.momentum.lr = o.lr; self.hp.momentum.momentum = o.momentum; }
    });
    for (var key in this.inputs) {
      var t = this.inputs[key].targets;
      if (t.length) this.setControl(key, this.hp[t[0][0]][t[0][1]]);
    }
    this.update();
  };

  Playground.prototype.markOptimal = function () {
    var o = this.optimalValues(), self = this;
    if (!this.mark) return;
    if (!o) { this.optimal.textContent = ""; return; }
    var marks = [];
    function place(key, v, text) {   // a ▲ under the slider (if it is shown)
      var entry = self.inputs[key];
      if (!entry) return;
      var r = range(entry.meta), frac = (toPos(entry.meta, v) - r[0]) / (r[1] - r[0]);
      var m = entry.wrap.querySelector(".opg-mark") || entry.wrap.appendChild(el("span", {"class": "opg-mark", "aria-hidden": "true"}));
      m.style.left = "calc(8px + " + (frac * 100).toFixed(2) + "% - " + (frac * 16).toFixed(1) + "px)";
      m.textContent = text;
    }
    var rules = this.rules, one = rules.length === 1, lams = [2 * this.fn.a, 2 * this.fn.b], rates = [];
    if (rules.indexOf("momentum") >= 0) {
      place(one || this.shared.indexOf("lr") >= 0 ? "lr" : "momentum.lr", o.lr, "η*");
      place(one || this.shared.indexOf("momentum") >= 0 ? "momentum" : "momentum.momentum", o.momentum, "γ*");
      marks.push("动量法 η* = " + fmt(o.lr) + "，γ* = " + fmt(o.momentum));
      rates.push("动量法 " + rate(this.hp.momentum.lr, this.hp.momentum.momentum, lams).toFixed(3));
    }
    if (rules.indexOf("sgd") >= 0) {
      place(one ? "lr" : "sgd.lr", o.gd, "η*");
      marks.push("梯度下降 η* = " + fmt(o.gd) + "（η > 2/L = " + fmt(o.limit) + " 时发散）");
      rates.push("梯度下降 " + rate(this.hp.sgd.lr, 0, lams).toFixed(3));
    }
    this.optimal.textContent = "二次函数分析（L、μ 为最大、最小曲率）：" + marks.join("，") +
      "。当前每步收缩速率 r：" + rates.join("，") + "（r ≥ 1 发散）。";
  };

  Playground.prototype.update = function () {
    var self = this;
    this.runs = this.rules.map(function (rule) {
      var r = run(rule, self.fn, self.start, self.steps, self.hp[rule]);
      r.loss = r.points.map(function (p) { return self.fn.value(p); });
      return r;
    });
    if (this.inputs.shown) {
      this.inputs.shown.input.max = this.steps;
      if (this.shown > this.steps) this.shown = this.steps;
      this.setControl("shown", this.shown);
    }
    this.markOptimal();
    this.draw();
    this.describe();
  };

  /* Axes of the contour plot: ticks with round values along the bottom and left edges and the
   * coordinate names (x₁ to the right, x₂ up), on a light backing so they read over contours. */
  function niceStep(span, count) {
    var raw = span / count, mag = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / mag;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * mag;
  }
  Playground.prototype.drawAxes = function (ctx) {
    if (this.fn.dim !== 2) return;
    var v = this.view, W = this.W, H = this.H, self = this;
    ctx.save();
    ctx.font = "11px sans-serif";
    ctx.lineWidth = 1;
    function label(text, x, y, align, base) {
      ctx.textAlign = align;
      ctx.textBaseline = base;
      var w = ctx.measureText(text).width;
      ctx.fillStyle = "rgba(255, 255, 255, 0.8)";
      ctx.fillRect(align === "left" ? x - 1 : align === "right" ? x - w - 1 : x - w / 2 - 1,
                   base === "bottom" ? y - 12 : base === "top" ? y : y - 6, w + 2, 12);
      ctx.fillStyle = "#333";
      ctx.fillText(text, x, y);
    }
    ctx.strokeStyle = "#555";
    var sx = niceStep(v[1] - v[0], Math.max(3, Math.round(W / 90)));
    for (var x = Math.ceil(v[0] / sx) * sx; x <= v[1]; x += sx) {
      var px = self.toPx(x, v[2])[0];
      if (px < 24 || px > W - 24) continue;
      ctx.beginPath(); ctx.moveTo(px, H); ctx.lineTo(px, H - 5); ctx.stroke();
      label(String(parseFloat(x.toPrecision(3))), px, H - 6, "center", "bottom");
    }
    var sy = niceStep(v[3] - v[2], Math.max(3, Math.round(H / 70)));
    for (var y = Math.ceil(v[2] / sy) * sy; y <= v[3]; y += sy) {
      var py = self.toPx(v[0], y)[1];
      if (py < 16 || py > H - 22) continue;
      ctx.beginPath(); ctx.moveTo(0, py); ctx.lineTo(5, py); ctx.stroke();
      label(String(parseFloat(y.toPrecision(3))), 7, py, "left", "middle");
    }
    label("x₁", W - 4, H - 6, "right", "bottom");
    label("x₂", 7, 4, "left", "top");
    ctx.restore();
  };

  Playground.prototype.draw = function () {
    var ctx = this.canvas.getContext("2d"), self = this, W = this.W, H = this.H;
    var upto = this.race ? this.shown : Infinity;
    ctx.clearRect(0, 0, W, H);
    ctx.drawImage(this.background, 0, 0, W, H);
    this.drawAxes(ctx);
    var labels = 0;
    this.runs.forEach(function (r, idx) {
      var n = Math.min(r.points.length, upto + 1), color = colorOf(self.rules[idx], idx);
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 2 + 1.5 * (self.runs.length - 1 - idx) / Math.max(1, self.runs.length - 1);  // overlaps stay visible
      ctx.beginPath();
      for (var k = 0; k < n; k++) {
        var p = self.toPx(r.points[k][0], r.points[k][1]);
        if (k === 0) ctx.moveTo(p[0], p[1]); else ctx.lineTo(p[0], p[1]);
      }
      ctx.stroke();
      if (n <= 201) {
        for (k = 1; k < n; k++) {
          var q = self.toPx(r.points[k][0], r.points[k][1]);
          ctx.beginPath();
          ctx.arc(q[0], q[1], 2.2, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
      if (r.diverged && n === r.points.length) {   // the escape is reached in this frame
        var last = self.toPx(r.points[n - 1][0], r.points[n - 1][1]);
        // clamp into the canvas; several labels at the same edge are stacked inwards
        var lx = Math.max(36, Math.min(W - 30, last[0])), ly = Math.max(14, Math.min(H - 14, last[1]));
        ly += (ly > H / 2 ? -18 : 18) * labels;
        ctx.font = "bold 14px sans-serif";
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#fff";
        ctx.strokeText("✕ 发散", lx, ly);
        ctx.fillStyle = "#c00";
        ctx.fillText("✕ 发散", lx, ly);
        ctx.beginPath();   // which path: a dot in its colour
        ctx.arc(lx - 30, ly, 4.5, 0, 2 * Math.PI);
        ctx.fillStyle = color;
        ctx.fill();
        labels++;
      }
    });
    // start point
    var s = this.toPx(this.start[0], this.start[1]);
    ctx.beginPath();
    ctx.arc(s[0], s[1], 7, 0, 2 * Math.PI);
    ctx.fillStyle = "#fff";
    ctx.fill();
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = "#111";
    ctx.stroke();
    this.drawLoss(upto);
    if (this.race && this.runs.length && this.legend) this.describe();
  };

  // Loss against step, log y-axis (f - f*), linear when f has no minimum.
  Playground.prototype.drawLoss = function (upto) {
    var ctx = this.lossCanvas.getContext("2d"), W = this.LW, H = this.LH, fstar = this.fn.fstar;
    var left = 44, right = 8, top = 8, bottom = 20, self = this;
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, W, H);
    function y(v) { return fstar === null ? v : Math.log10(Math.max(v - fstar, 1e-16)); }
    var lo = Infinity, hi = -Infinity;
    this.runs.forEach(function (r) {
      r.loss.forEach(function (v) { var t = y(v); if (isFinite(t)) { lo = Math.min(lo, t); hi = Math.max(hi, t); } });
    });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (fstar !== null) { lo = Math.floor(lo); hi = Math.ceil(hi); if (hi - lo < 2) lo = hi - 2; }
    else if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    var steps = Math.max(1, this.steps);
    function px(k) { return left + k / steps * (W - left - right); }
    function py(t) { return top + (1 - (t - lo) / (hi - lo)) * (H - top - bottom); }
    ctx.strokeStyle = "#999";
    ctx.lineWidth = 1;
    ctx.strokeRect(left, top, W - left - right, H - top - bottom);
    ctx.fillStyle = "#444";
    ctx.font = "11px sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    var every = fstar === null ? (hi - lo) / 2 : Math.max(1, Math.ceil((hi - lo) / 4));
    for (var t = lo; t <= hi + 1e-9; t += every) {
      ctx.fillText(fstar === null ? fmt(t) : "1e" + Math.round(t), left - 4, py(t));
      ctx.beginPath(); ctx.moveTo(left, py(t)); ctx.lineTo(W - right, py(t));
      ctx.strokeStyle = "#eee"; ctx.stroke();
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("0", px(0), H - bottom + 4);
    ctx.fillText("t = " + steps, px(steps) - 20, H - bottom + 4);
    var title = fstar === null ? "f(xₜ)" : "f(xₜ) − f*（对数轴）", tw = ctx.measureText(title).width;
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
    ctx.fillRect(W - right - tw - 10, top + 1, tw + 8, 15);
    ctx.fillStyle = "#444";
    ctx.textAlign = "right";
    ctx.fillText(title, W - right - 6, top + 3);
    this.runs.forEach(function (r, idx) {
      var n = Math.min(r.loss.length, upto + 1);
      ctx.strokeStyle = colorOf(self.rules[idx], idx);
      ctx.lineWidth = 1.6 + 1.4 * (self.runs.length - 1 - idx) / Math.max(1, self.runs.length - 1);
      ctx.beginPath();
      for (var k = 0; k < n; k++) {
        var t = Math.max(lo, Math.min(hi, y(r.loss[k])));
        if (k === 0) ctx.moveTo(px(k), py(t)); else ctx.lineTo(px(k), py(t));
      }
      ctx.stroke();
      if (r.diverged && n === r.loss.length) {
        ctx.fillStyle = "#c00";
        ctx.font = "bold 12px sans-serif";
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillText("✕", px(n - 1), py(Math.max(lo, Math.min(hi, y(r.loss[n - 1])))));
      }
    });
  };

  Playground.prototype.describe = function () {
    var self = this, parts = [];
    this.legend.textContent = "";
    this.runs.forEach(function (r, idx) {
      var rule = self.rules[idx], li = el("li");
      li.appendChild(el("span", {"class": "opg-swatch", style: "background:" + colorOf(rule, idx)}));
      li.appendChild(doc.createTextNode(RULE_NAMES[rule] + "："));
      // During a race the legend tells where each run is now, not how it ends.
      var last = r.points.length - 1, k = Math.min(last, self.race ? self.shown : last), text;
      if (r.diverged && k === last) {
        li.appendChild(el("strong", {"class": "opg-diverged"}, "发散"));
        text = "第 " + (k + 1) + " 步越界";
      } else {
        text = k + " 步后 f = " + fmt(r.loss[k]);
      }
      li.appendChild(doc.createTextNode(r.diverged ? "（" + text + "）" : text));
      self.legend.appendChild(li);
      parts.push(RULE_NAMES[rule] + (r.diverged ? " 发散，" : "：") + text);
    });
    var label = this.fn.formula + "；起点 (" + fmt(this.start[0]) + ", " + fmt(this.start[1]) + ")";
    this.canvas.setAttribute("aria-label", "等高线图，" + label + "。拖动或用方向键移动起点。");
    this.lossCanvas.setAttribute("aria-label", "损失随步数变化（对数纵轴）");
    this.caption.textContent = label;
    if (!this.playing) this.summary.textContent = label + "。" + parts.join("；") + "。";
  };

  Playground.prototype.togglePlay = function () {
    if (this.playing) { this.stop(); return; }
    if (this.reduced) { this.shown = this.steps; this.setControl("shown", this.shown); this.draw(); return; }
    var self = this, t0 = null, from = this.shown >= this.steps ? 0 : this.shown;
    var duration = 3000 * (this.steps - from) / Math.max(1, this.steps);
    this.playing = true;
    this.playButton.textContent = "⏸ 暂停";
    function frame(now) {
      if (!self.playing) return;
      if (t0 === null) t0 = now;
      self.shown = Math.min(self.steps, from + Math.round((now - t0) / duration * (self.steps - from)));
      self.setControl("shown", self.shown);
      self.draw();
      if (self.shown >= self.steps) self.stop(); else self.raf = global.requestAnimationFrame(frame);
    }
    this.raf = global.requestAnimationFrame(frame);
  };

  Playground.prototype.stop = function () {
    this.playing = false;
    if (this.raf) global.cancelAnimationFrame(this.raf);
    if (this.playButton) this.playButton.textContent = "▶ 播放";
  };

  function initOne(node) {
    if (node.hasAttribute("data-opg-ready")) return;
    node.setAttribute("data-opg-ready", "");
    node.optimPlayground = new Playground(node);
  }

  /* A playground on screen (or within one screen of it) starts at once; one further down a
   * chapter starts when the reader scrolls near it, so a chapter's first paint and its
   * first seconds are not spent computing trajectories nobody sees yet. */
  function initAll(now) {
    var nodes = doc.querySelectorAll(".optim-playground:not([data-opg-ready])");
    var io = (now !== true && global.IntersectionObserver) ? new global.IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { io.unobserve(e.target); initOne(e.target); }
      });
    }, {rootMargin: "100% 0px 100% 0px"}) : null;
    for (var i = 0; i < nodes.length; i++) {
      if (io) io.observe(nodes[i]); else initOne(nodes[i]);
    }
  }

  // the stylesheet sits next to this script
  if (SCRIPT && SCRIPT.src && !doc.querySelector("link[data-opg-css]")) {
    var link = el("link", {rel: "stylesheet", href: SCRIPT.src.replace(/\.js(\?.*)?$/, ".css"), "data-opg-css": ""});
    doc.head.appendChild(link);
  }
  core.initAll = initAll;
  core.Playground = Playground;
  global.OptimPlayground = core;
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})(this);
