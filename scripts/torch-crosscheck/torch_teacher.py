"""PyTorch port of the engine's teacher training (src-main/engine/teacher-trainer.ts: epsilon DDPM, T = 1000,
linear betas; the Fourier-feature MLP of mlp.ts with its He initialisation; weight EMA with the evaluation EMA's
warm-up; linear warm-up then cosine learning rate; the step sampling power) for exploring the recipe ~4x
faster than wasm. Trains on $CLAB_CROSSCHECK_DIR/teacher/<dataset>/pool.f32 (teacher-pool.ts), writes DDIM-100
samples (eta 0) at the eval steps to .../runs/<tag>/k100_<step>.f32; score them with score-points.ts against
heldout.f32. Options beyond the engine's, for exploration only: res (residual hidden layers), tcat (the time
embedding into every hidden layer), dirs "golden" (Fourier directions at the golden angle), gain (first layer).
usage: /usr/bin/python3 torch_teacher.py --dataset rings --tag T --set '{"steps":30000,"kpow":2}'"""
import argparse, json, math, os, time
import numpy as np, torch
p = argparse.ArgumentParser(); p.add_argument("--dataset"); p.add_argument("--set", default="{}"); p.add_argument("--tag"); p.add_argument("--seed", type=int, default=0)
a = p.parse_args(); torch.set_num_threads(1); torch.manual_seed(a.seed)
cfg = dict(steps=20000, batch=128, lr=1e-3, warmup=200, ema=0.999, H=256, depth=3, NF=32, fmax=50.0, TE=32, res=False, wd=0.0, eval_at=None, kpow=1.0, dirs="axes", gain=1.0, init="he", tcat=False)
cfg.update(json.loads(a.set))
import tempfile
D = os.path.join(os.environ.get("CLAB_CROSSCHECK_DIR", os.path.join(tempfile.gettempdir(), "clab-torch-crosscheck")), "teacher", a.dataset); pool = torch.from_numpy(np.fromfile(f"{D}/pool.f32", dtype=np.float32).reshape(-1, 2))
T = 1000; betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64); abar = torch.cumprod(1 - betas, 0)
NF = cfg["NF"]; FREQS = (cfg["fmax"] ** (torch.arange(NF, dtype=torch.float64) / max(NF - 1, 1))).float(); TE = cfg["TE"]; H = cfg["H"]
# golden-angle directions: 2*NF angles, frequency j geometric over 1..fmax, direction j * golden angle
J = torch.arange(2 * NF, dtype=torch.float64); FREQ2 = (cfg["fmax"] ** (J / max(2 * NF - 1, 1))).float()
TH = J * math.pi * (3 - math.sqrt(5)); DIRS = torch.stack([TH.cos(), TH.sin()]).float()
class Net(torch.nn.Module):
    def __init__(s):
        super().__init__(); fan = 2 + 4 * NF + TE
        s.inp = torch.nn.Linear(fan, H); s.hid = torch.nn.ModuleList([torch.nn.Linear(H + (TE if cfg["tcat"] else 0), H) for _ in range(cfg["depth"] - 1)]); s.out = torch.nn.Linear(H, 2)
    def forward(s, x, t):
        fr = torch.exp(-math.log(10000) * torch.arange(TE // 2) / (TE // 2)); a_ = t[:, None].float() * fr[None]
        if cfg["dirs"] == "axes": ang = (x[:, :, None] * FREQS[None, None, :]).reshape(x.shape[0], -1)
        else: ang = (x @ DIRS) * FREQ2[None]
        h = torch.nn.functional.silu(s.inp(torch.cat([x, ang.sin(), ang.cos(), a_.sin(), a_.cos()], 1)))
        temb = torch.cat([a_.sin(), a_.cos()], 1)
        for l in s.hid:
            hin = torch.cat([h, temb], 1) if cfg["tcat"] else h
            h = h + torch.nn.functional.silu(l(hin)) if cfg["res"] else torch.nn.functional.silu(l(hin))
        return s.out(h)
def he_init(m):  # the engine's initialWeights: He normal, zero biases, zero last layer; gain scales the first layer
    with torch.no_grad():
        for i, l in enumerate([m.inp, *m.hid, m.out]):
            l.bias.zero_()
            if l is m.out: l.weight.zero_()
            else: l.weight.normal_(0, math.sqrt(2 / l.in_features) * (cfg["gain"] if i == 0 else 1.0))
net = Net()
if cfg["init"] == "he": he_init(net)
ema = Net(); ema.load_state_dict(net.state_dict()); [q.requires_grad_(False) for q in ema.parameters()]
opt = torch.optim.AdamW(net.parameters(), cfg["lr"], weight_decay=cfg["wd"]) if cfg["wd"] else torch.optim.Adam(net.parameters(), cfg["lr"])
S, B, W = cfg["steps"], cfg["batch"], cfg["warmup"]
def lr_at(step):
    if step <= W: return cfg["lr"] * step / W
    prog = min(1, max(0, step - W - 1) / max(1, S - W)); return cfg["lr"] * 0.5 * (1 + math.cos(math.pi * prog))
sab, s1ab = abar.sqrt().float(), (1 - abar).sqrt().float()
g = torch.Generator().manual_seed(cfg.get("seed", a.seed)); torch.manual_seed(cfg.get("seed", a.seed))
zT = torch.randn(4000, 2, generator=torch.Generator().manual_seed(7))
def sample(model):
    with torch.no_grad():
        # VP DDIM eta 0 over the engine's steps (src-shared/cd/schedule.ts samplerSteps: quadratic, the last hop
        # from the lowest of them to the clean x0)
        ks = [min(max(round((i / 100) ** 2 * (T - 1)), i - 1), T - 1) for i in range(100, 0, -1)]; x = zT.clone()
        for ka, kb in zip(ks[:-1], ks[1:]):
            e = model(x, torch.full((x.shape[0],), ka)); x0 = (x - s1ab[ka] * e) / sab[ka]
            x = sab[kb] * x0 + s1ab[kb] * e
        e = model(x, torch.full((x.shape[0],), ks[-1])); return (x - s1ab[ks[-1]] * e) / sab[ks[-1]]
out = f"{D}/runs/{a.tag}"; os.makedirs(out, exist_ok=True); t0 = time.perf_counter(); ev = set(json.loads(json.dumps(cfg["eval_at"] or [S])))
for step in range(1, S + 1):
    idx = torch.randint(0, pool.shape[0], (B,), generator=g); x0 = pool[idx]; k = (torch.rand(B, generator=g) ** cfg["kpow"] * T).long().clamp(max=T - 1) if cfg["kpow"] != 1 else torch.randint(0, T, (B,), generator=g); e = torch.randn(B, 2, generator=g)
    x = sab[k][:, None] * x0 + s1ab[k][:, None] * e
    for gr in opt.param_groups: gr["lr"] = lr_at(step)
    l = ((net(x, k) - e) ** 2).mean(); opt.zero_grad(); l.backward(); opt.step()
    d = min(cfg["ema"], (1 + step) / (10 + step)) if cfg["ema"] > 0 else 0
    with torch.no_grad():
        for pe, pn in zip(ema.parameters(), net.parameters()): pe.mul_(d).add_(pn, alpha=1 - d)
    if step in ev:
        sample(ema if cfg["ema"] > 0 else net).numpy().astype(np.float32).tofile(f"{out}/k100_{step}.f32")
print(f"{a.dataset} {a.tag} {cfg}: {time.perf_counter() - t0:.0f} s")
