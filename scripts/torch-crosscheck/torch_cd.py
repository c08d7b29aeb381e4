"""Port of the shared reference torch_cd_ref.py (ALGORITHM.md)'s CD loop onto Consistency Lab's teacher, data and eval noise.
Reads $CLAB_CROSSCHECK_DIR/<dataset>/ (made by export.ts); writes one-step samples of the eval EMA (and of the
online student) at the eval steps to $CLAB_CROSSCHECK_DIR/<dataset>/runs/<tag>/. Score them with score.ts.

The network, denoiser, boundary parameterization, grid, Euler step, losses and update order are the ref's;
what changed: teacher weights loaded (not trained), sigma[k] = our float64 schedule (cast to float32),
batches taken in order from our exported training pool, options for lr schedule / mu / eval-EMA warm-up / Heun,
the Karras grid, the top share's target solved down to sigma_min (topPairTarget) and the replay of those solves (topPairReplay).
usage: nice -n 10 /usr/bin/python3 torch_cd.py --dataset moons --preset ref|ours [--solver euler|heun] [--tag T]
"""
import argparse, json, math, os, time, copy
import numpy as np, torch

p = argparse.ArgumentParser()
p.add_argument("--dataset", default="moons")
p.add_argument("--preset", choices=["ref", "ours"], default="ref")
p.add_argument("--solver", choices=["euler", "heun"], default=None)
p.add_argument("--steps", type=int, default=3000)
p.add_argument("--eval-at", default="1000,2000,3000")
p.add_argument("--N", type=int, default=None)  # default: 18 for ref, our preset's otherwise
p.add_argument("--seed", type=int, default=0)
p.add_argument("--top-share", type=float, default=None)  # default: 0 for ref, our preset's otherwise
p.add_argument("--sigma-max", type=float, default=None)  # grid top; default: the teacher's last step for ref, our preset's otherwise
p.add_argument("--tag", default=None)
p.add_argument("--set", default="{}")  # JSON overrides of cfg, e.g. '{"lr": 1e-3, "substeps": 8}'
p.add_argument("--eval-nfe2", default=None)  # the two-step sample's re-noise sigma (default: the preset's multistepSigmas[0], 0.8 for ref); a comma list writes ema2_<sigma>_<step>.f32 for each
a = p.parse_args()
torch.set_num_threads(1)
torch.manual_seed(a.seed); np.random.seed(a.seed)

import tempfile
D = os.path.join(os.environ.get("CLAB_CROSSCHECK_DIR", os.path.join(tempfile.gettempdir(), "clab-torch-crosscheck")), a.dataset)
meta = json.load(open(os.path.join(D, "meta.json")))

if a.preset == "ref":  # the ref's own settings
    cfg = dict(N=18, solver="euler", substeps=1, top_share=0.0, sigma_max=None, inverse_gap=False, lr=1e-4, warmup=0, cosine=False, mu=0.95, eval_ema=0.999, ema_warmup=False, sigma_data=0.5)
else:  # our default preset as export.ts wrote it (DISTILL_DEFAULTS), as far as the loop can express it
    if "preset" not in meta: raise SystemExit(f"{D}/meta.json has no preset: re-run export.ts")
    P = meta["preset"]
    for field, want in [("algorithm", "cd"), ("loss", "l2")]:
        if P[field] != want: raise SystemExit(f"the port runs {field} {want} only; the preset has {P[field]!r}")
    if P["weighting"] not in ("inverse-gap", "uniform"): raise SystemExit(f"weighting {P['weighting']!r} is not ported")
    if P["batch"] % meta["batch"]: raise SystemExit(f"preset batch {P['batch']} is not a multiple of the pool's rows ({meta['batch']})")
    # batch_mult: the preset's batch from that many of the exported pool's rows (export.ts writes 3000 batches of it)
    cfg = dict(N=P["numScales"], solver=P["solver"], substeps=P["teacherSubsteps"], top_share=P["topPairShare"],
               sigma_max=P["sigmaMax"], inverse_gap=P["weighting"] == "inverse-gap", lr=P["lr"], warmup=P["warmupSteps"],
               cosine=P["lrSchedule"] == "cosine", mu=P["targetEma"], eval_ema=P["evalEma"], ema_warmup=True,
               sigma_data=P["sigmaData"], batch_mult=P["batch"] // meta["batch"], grid=P["grid"],
               nfe2_sigma=P["multistepSigmas"][0], top_target=P.get("topPairTarget", "next-level"),
               top_replay=P.get("topPairReplay", 0))
cfg.update(json.loads(a.set))
if a.solver: cfg["solver"] = a.solver
if a.top_share is not None: cfg["top_share"] = a.top_share
if a.sigma_max is not None: cfg["sigma_max"] = a.sigma_max
tag = a.tag or f"{a.preset}-{cfg['solver']}"
out = os.path.join(D, "runs", tag); os.makedirs(out, exist_ok=True)
rd = lambda name, dt=np.float32: np.fromfile(os.path.join(D, name), dtype=dt)

T = meta["teacherConfig"]["numSteps"]; H = meta["teacherConfig"]["hiddenWidth"]; B = meta["batch"]
sig64 = rd("sigma.f64", np.float64)
# the ref's own float32 schedule, for the record
betas = torch.linspace(1e-4, 0.02, T); abar = torch.cumprod(1 - betas, 0); sig_ref = ((1 - abar) / abar).sqrt()
sig = torch.tensor(sig64, dtype=torch.float32)
sched_rel = ((sig_ref.double() - torch.tensor(sig64)).abs() / torch.tensor(sig64)).max().item()

TC = meta["teacherConfig"]
NF = TC.get("fourierFeatures", 0)  # teachers from before issue 17 have none
FREQS = (TC.get("fourierMaxFrequency", 50.0) ** (torch.arange(NF, dtype=torch.float64) / max(NF - 1, 1))).float() if NF > 1 else torch.ones(NF)
DEPTH = TC["hiddenDepth"]; TE = TC["timeEmbeddingDim"]

class Net(torch.nn.Module):  # the ref's Net, plus the engine's Fourier features of x (src-main/engine/mlp.ts)
    def __init__(s):
        super().__init__()
        layers, fan_in = [], 2 + 2 * 2 * NF + TE
        for _ in range(DEPTH): layers += [torch.nn.Linear(fan_in, H), torch.nn.SiLU()]; fan_in = H
        s.f = torch.nn.Sequential(*layers, torch.nn.Linear(fan_in, 2))
    def forward(s, x, t):
        fr = torch.exp(-math.log(10000) * torch.arange(TE // 2) / (TE // 2))
        a_ = t[:, None].float() * fr[None]
        # sin(x_d f_j) for coordinate d's n frequencies in turn, then the cosines in the same order
        ang = (x[:, :, None] * FREQS[None, None, :]).reshape(x.shape[0], -1)
        return s.f(torch.cat([x, ang.sin(), ang.cos(), a_.sin(), a_.cos()], 1))

teacher = Net()
with torch.no_grad():
    for i, lin in enumerate([m for m in teacher.f if isinstance(m, torch.nn.Linear)]):
        W = torch.from_numpy(rd(f"layer{i}.W.f32").reshape(meta["shapes"][f"layer{i}.W"]))
        lin.weight.copy_(W.t()); lin.bias.copy_(torch.from_numpy(rd(f"layer{i}.b.f32")))
teacher.eval()
for q in teacher.parameters(): q.requires_grad_(False)

# port check: eps(x_ve, k) = net(x_ve / sqrt(1 + sigma_k^2), k) vs our engine's
cx = torch.from_numpy(rd("check_x.f32").reshape(-1, 2)); ck = torch.from_numpy(rd("check_k.i32", np.int32)).long()
with torch.no_grad():
    ce = teacher(cx / (1 + sig[ck][:, None] ** 2).sqrt(), ck)
ours = torch.from_numpy(rd("check_eps.f32").reshape(-1, 2))
port_err = (ce - ours).abs().max().item()
print(f"port check: max |eps_torch - eps_ours| = {port_err:.2e} over {len(ck)} inputs (max |eps| {ours.abs().max():.2f}); "
      f"ref float32 sigma vs ours: max rel diff {sched_rel:.1e}")
# A port that computes another network would compare two different loops; float32 rounding stays far below this.
PORT_TOLERANCE = 1e-4 * max(1.0, ours.abs().max().item())
if not port_err <= PORT_TOLERANCE:
    raise SystemExit(f"port check failed: the torch teacher's eps differs from the engine's by {port_err:.2e} "
                     f"(tolerance {PORT_TOLERANCE:.1e}): the port no longer follows the engine's teacher network")

def D_teacher(x_ve, k):
    s = sig[k][:, None]; return x_ve - s * teacher(x_ve / (1 + s * s).sqrt(), k)

smin, sd = sig[0].item(), cfg["sigma_data"]
def f(net, x_ve, k):
    s = sig[k][:, None]
    cskip = sd ** 2 / ((s - smin) ** 2 + sd ** 2); cout = 1 - cskip
    if cfg.get("param") == "x0head":  # the frozen teacher's denoiser plus a learned x-space correction (sigmaData scale)
        with torch.no_grad(): dt = D_teacher(x_ve, k)
        return cskip * x_ve + cout * (dt + sd * net(x_ve / (1 + s * s).sqrt(), k))
    return cskip * x_ve + cout * (x_ve - s * net(x_ve / (1 + s * s).sqrt(), k))

student = copy.deepcopy(teacher); [q.requires_grad_(True) for q in student.parameters()]
if cfg.get("param") == "x0head":  # the correction starts at zero: the student starts as the teacher's denoiser
    with torch.no_grad(): last = [m for m in student.f if isinstance(m, torch.nn.Linear)][-1]; last.weight.zero_(); last.bias.zero_()
target = copy.deepcopy(student); [q.requires_grad_(False) for q in target.parameters()]
ema = copy.deepcopy(student); [q.requires_grad_(False) for q in ema.parameters()]
sopt = torch.optim.Adam(student.parameters(), cfg["lr"], betas=(cfg.get("beta1", 0.9), cfg.get("beta2", 0.999)))
N = a.N or cfg["N"]
# The grid's top: the teacher's last step, or the step whose sigma is nearest sigma_max in log space (gridTopStep).
top = T - 1 if cfg["sigma_max"] is None else int(torch.argmin((sig.log() - math.log(cfg["sigma_max"])).abs()))
if cfg.get("grid", "uniform") == "uniform":  # uniformStepGrid
    grid = torch.tensor([round(i * top / (N - 1)) for i in range(N)])
elif cfg["grid"] == "karras":  # karrasStepGrid (src-shared/cd/schedule.ts): rho 7, each level on the nearest teacher step
    lo_, hi_ = sig[0].item() ** (1 / 7), sig[top].item() ** (1 / 7); levels = []
    for i in range(N):
        k_ = int(torch.argmin((sig.log() - math.log((lo_ + i / (N - 1) * (hi_ - lo_)) ** 7)).abs()))
        if not levels or levels[-1] != k_: levels.append(k_)
    grid = torch.tensor(levels); N = len(levels)
else: raise SystemExit(f"grid {cfg['grid']!r} is not ported")
print("grid steps", grid.tolist(), "sigmas", [float(f"{sig[k]:.3g}") for k in grid])
pool = torch.from_numpy(rd("train.f32").reshape(-1, B, 2))
# Past the exported pool's end the batches repeat (exploration runs longer than the engine's 3000 steps).

def lr_at(step):  # 1-based, = learningRateAt in src-shared/cd/training-schedules.ts
    base, w = cfg["lr"], cfg["warmup"]
    if w > 0 and step <= w: return base * step / w
    if not cfg["cosine"]: return base
    span = max(1, a.steps - w); prog = min(1, max(0, step - w - 1) / span)
    return base * 0.5 * (1 + math.cos(math.pi * prog))

MU = cfg["mu"]
REPLAY_STEPS = 256; replay = None  # src-main/engine/top-replay.ts
def solve_hop(xh, kh, kl):  # the teacher's ODE over one hop per row, in `substeps` solver steps (m = 1: the ref's)
    m = cfg["substeps"]; xa, ka = xh, kh
    for j in range(1, m + 1):
        kb = kl if j == m else torch.floor(kh + (kl - kh) * j / m + 0.5).long()  # = Math.round (hopSubsteps)
        dsig = (sig[kb] - sig[ka])[:, None]
        d = (xa - D_teacher(xa, ka)) / sig[ka][:, None]
        xb = xa + dsig * d                               # Euler in VE == DDIM
        if cfg["solver"] == "heun":
            d2 = (xb - D_teacher(xb, kb)) / sig[kb][:, None]
            xb = xa + dsig * (d + d2) / 2
        xa, ka = xb, kb
    return xa

def cd_step(step):  # step 0-based
    m_ = cfg.get("batch_mult", 1); x0 = torch.cat([pool[(step * m_ + j) % pool.shape[0]] for j in range(m_)]); Bm = x0.shape[0]
    n = torch.randint(0, N - 1, (Bm,)); n[: round(cfg["top_share"] * Bm)] = N - 2; kh, kl = grid[n + 1], grid[n]
    z = torch.randn_like(x0); xh = x0 + sig[kh][:, None] * z
    # topPairTarget sigma-min: the top share's target is the teacher solved down every level to grid[0], where f is x
    ntop = round(cfg["top_share"] * Bm) if cfg.get("top_target") == "sigma-min" else 0
    with torch.no_grad():
        tgt = f(target, solve_hop(xh[ntop:], kh[ntop:], kl[ntop:]), kl[ntop:])
        if ntop:  # as teacherOdeSolve's downTheGrid
            xd = xh[:ntop]
            for lev in range(N - 1, 0, -1):
                xd = solve_hop(xd, torch.full((ntop,), int(grid[lev])), torch.full((ntop,), int(grid[lev - 1])))
            tgt = torch.cat([xd, tgt])
    fresh = (xh[:ntop], tgt[:ntop])
    R = cfg.get("top_replay", 0) if ntop else 0
    if R:  # topPairReplay (top-replay.ts): R x ntop rows drawn from the last REPLAY_STEPS steps' solves, kept before this step's
        global replay
        cap = REPLAY_STEPS * ntop
        if replay is None: replay = (torch.zeros(cap, 2), torch.zeros(cap, 2))
        filled = min(cap, step * ntop)
        if filled:
            picks = torch.randint(0, filled, (R * ntop,))
            xh, tgt = torch.cat([xh, replay[0][picks]]), torch.cat([tgt, replay[1][picks]])
            kh, kl = torch.cat([kh, torch.full((R * ntop,), int(grid[N - 1]))]), torch.cat([kl, torch.full((R * ntop,), int(grid[N - 2]))])
    per_example = ((f(student, xh, kh) - tgt) ** 2).mean(1)   # per-example mean of squares
    lam = 1 / (sig[kh] - sig[kl]) if cfg["inverse_gap"] else torch.ones_like(per_example)
    l = (lam * per_example).mean()
    for g in sopt.param_groups: g["lr"] = lr_at(step + 1)
    sopt.zero_grad(); l.backward(); sopt.step()
    if R:
        at = (step * ntop) % cap; replay[0][at:at + ntop] = fresh[0]; replay[1][at:at + ntop] = fresh[1]
    ed = min(cfg["eval_ema"], (1 + step) / (10 + step)) if cfg["ema_warmup"] else cfg["eval_ema"]
    with torch.no_grad():
        for pp, q, e in zip(student.parameters(), target.parameters(), ema.parameters()):
            q.mul_(MU).add_(pp, alpha=1 - MU); e.mul_(ed).add_(pp, alpha=1 - ed)
    return l.item()

zT = torch.from_numpy(rd("evalnoise.f32").reshape(-1, 2)); M = zT.shape[0]; kT = torch.full((M,), top)
evals = [int(s) for s in a.eval_at.split(",")]
with torch.no_grad():  # teacher 100-step DDIM from the same noise (end-to-end port check, scored by score.ts)
    # The engine's sampler steps (src-shared/cd/schedule.ts samplerSteps): quadratic from the top, the last hop
    # from the lowest of them to the clean x0; DDIM (eta 0) is Euler in sigma here.
    ks = [min(max(round((i / 100) ** 2 * (T - 1)), i - 1), T - 1) for i in range(100, 0, -1)]; x = zT * sig[T - 1]
    for a_, b_ in zip(ks[:-1], ks[1:]):
        ka = torch.full((M,), a_); d = (x - D_teacher(x, ka)) / sig[a_]; x = x + (sig[b_] - sig[a_]) * d
    x = D_teacher(x, torch.full((M,), ks[-1]))
    x.numpy().astype(np.float32).tofile(os.path.join(out, "teacher100.f32"))

t0 = time.perf_counter(); losses = []
for step in range(a.steps):
    losses.append(cd_step(step))
    if step + 1 in evals:
        with torch.no_grad():
            for name, net in [("ema", ema), ("online", student)]:
                f(net, zT * sig[top], kT).numpy().astype(np.float32).tofile(os.path.join(out, f"{name}_{step + 1}.f32"))
            # two steps: re-noise the one-step sample to the grid level nearest the two-step sigma (own noise: exploration only)
            sigmas2 = [float(s_) for s_ in a.eval_nfe2.split(",")] if a.eval_nfe2 else [cfg.get("nfe2_sigma", 0.8)]
            for s2 in sigmas2:
                k2 = int(grid[torch.argmin((sig[grid].log() - math.log(s2)).abs())])  # the trained level nearest (nearestLevel)
                x1 = f(ema, zT * sig[top], kT); g = torch.Generator().manual_seed(12)
                x2 = x1 + sig[k2] * torch.randn(x1.shape, generator=g)
                name = "ema2" if len(sigmas2) == 1 else f"ema2_{s2:g}"
                f(ema, x2, torch.full((M,), k2)).numpy().astype(np.float32).tofile(os.path.join(out, f"{name}_{step + 1}.f32"))
        print(f"step {step + 1}: loss(last 100) {np.mean(losses[-100:]):.3e}  {(time.perf_counter() - t0) / (step + 1) * 1000:.2f} ms/step")
json.dump(dict(dataset=a.dataset, tag=tag, cfg=cfg, N=N, steps=a.steps, evals=evals, port_max_abs_err=port_err,
               sched_rel=sched_rel, seed=a.seed), open(os.path.join(out, "run.json"), "w"), indent=1)
