"""PyTorch CPU reference for the image bench (#18): the engine's default U-Net (src-main/engine/unet.ts) layer
for layer, timed on the same two steps bench/images-bench.ts times, so ours / torch is like for like.

Network (28x28x1, base C = 32, multipliers [1, 2], 1 res block per level, GroupNorm 8, SiLU, time embedding
E = 32 -> dense(4C) -> SiLU -> dense(4C)); parameter names and order follow unetParameterShapes, and the
count printed must equal countUnetParameters (bench/torch-unet.ts checks it). The stride-2 down conv pads
as tfjs's 'same' does (0 before, 1 after), so with the engine's weights it computes the engine's function
(`forward` mode below; test/bench/torch-unet-ref.test.ts compares the two).

Steps, as the engine takes them (teacher-trainer.ts, distiller.ts with solver heun, N 18, targetEma 0):
  teacher: x_t = sqrt(abar) x0 + sqrt(1 - abar) eps at random k, loss mean (net(x_t, k) - eps)^2, Adam.
  CD Heun: x_hi = x0 + sigma_hi z; teacher Heun step to x_lo (two teacher calls, no grad); target = the
  student's f(x_lo, lo) without grad; loss mean (f_student(x_hi, hi) - target)^2; Adam; eval EMA 0.999.

usage: python3 torch_unet_ref.py [batch=64] [timed_steps=5] [threads=2] [base_channels=32]
  prints one line: params=<n> batch=<b> threads=<t> teacher_train=<ms> cd_heun=<ms>
usage: python3 torch_unet_ref.py forward <dir> [base_channels=32]
  reads <dir>/weights.json ([{name, shape}] in unetParameterShapes order), weights.f32 (those arrays in that
  order, engine layouts), x.f32 (NHWC rows), steps.json; writes eps (NHWC rows) to <dir>/eps.f32
"""
import copy, math, sys, time
import torch
import torch.nn.functional as F
from torch import nn

FORWARD = len(sys.argv) > 1 and sys.argv[1] == "forward"
if FORWARD:
    DIR, B, STEPS = sys.argv[2], 0, 0
    C = int(sys.argv[3]) if len(sys.argv) > 3 else 32
else:
    B = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    C = int(sys.argv[4]) if len(sys.argv) > 4 else 32
MULTS, RES, GROUPS, E, SIDE, CH = [1, 2], 1, 8, 32, 28, 1
torch.manual_seed(0)


class ResBlock(nn.Module):
    # GN -> SiLU -> conv3x3 -> + dense(SiLU(temb)) -> GN -> SiLU -> conv3x3, 1x1 skip when the width changes.
    def __init__(s, cin, cout, T, name, named):
        super().__init__()
        s.norm1, s.conv1 = nn.GroupNorm(GROUPS, cin), nn.Conv2d(cin, cout, 3, padding=1)
        s.temb = nn.Linear(T, cout)
        s.norm2, s.conv2 = nn.GroupNorm(GROUPS, cout), nn.Conv2d(cout, cout, 3, padding=1)
        nn.init.zeros_(s.conv2.weight), nn.init.zeros_(s.conv2.bias)
        s.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None
        for part in ["norm1", "conv1", "temb", "norm2", "conv2"] + (["skip"] if s.skip is not None else []):
            named.append((f"{name}.{part}", getattr(s, part)))

    def forward(s, x, temb_act):
        h = s.conv1(F.silu(s.norm1(x))) + s.temb(temb_act)[:, :, None, None]
        h = s.conv2(F.silu(s.norm2(h)))
        return (x if s.skip is None else s.skip(x)) + h


class Unet(nn.Module):
    def __init__(s):
        super().__init__()
        T = 4 * C
        # (engine name prefix, module) in unetParameterShapes order: what `forward` mode loads by name.
        s.named = named = []
        s.dense0, s.dense1 = nn.Linear(E, T), nn.Linear(T, T)
        s.inconv = nn.Conv2d(CH, C, 3, padding=1)
        named += [("temb.dense0", s.dense0), ("temb.dense1", s.dense1), ("in.conv", s.inconv)]
        s.down, s.downconv = nn.ModuleList(), nn.ModuleList()
        ch, skips = C, [C]
        for l, m in enumerate(MULTS):
            blocks = nn.ModuleList()
            for r in range(RES):
                blocks.append(ResBlock(ch, C * m, T, f"down{l}.res{r}", named))
                ch = C * m
                skips.append(ch)
            s.down.append(blocks)
            if l < len(MULTS) - 1:
                # tfjs 'same' at stride 2 on an even side pads 0 before and 1 after: done in forward.
                s.downconv.append(nn.Conv2d(ch, ch, 3, stride=2))
                named.append((f"down{l}.down", s.downconv[-1]))
                skips.append(ch)
        s.mid = nn.ModuleList([ResBlock(ch, ch, T, f"mid.res{r}", named) for r in range(2)])
        s.up, s.upconv = nn.ModuleList(), nn.ModuleList()
        for l in reversed(range(len(MULTS))):
            blocks = nn.ModuleList()
            for r in range(RES + 1):
                blocks.append(ResBlock(ch + skips.pop(), C * MULTS[l], T, f"up{l}.res{r}", named))
                ch = C * MULTS[l]
            s.up.append(blocks)
            if l > 0:
                s.upconv.append(nn.Conv2d(ch, ch, 3, padding=1))
                named.append((f"up{l}.up", s.upconv[-1]))
        s.outnorm, s.outconv = nn.GroupNorm(GROUPS, ch), nn.Conv2d(ch, CH, 3, padding=1)
        named += [("out.norm", s.outnorm), ("out.conv", s.outconv)]
        nn.init.zeros_(s.outconv.weight), nn.init.zeros_(s.outconv.bias)

    def forward(s, x, emb):
        temb_act = F.silu(s.dense1(F.silu(s.dense0(emb))))
        h = s.inconv(x)
        skips = [h]
        for l, blocks in enumerate(s.down):
            for b in blocks:
                h = b(h, temb_act)
                skips.append(h)
            if l < len(s.downconv):
                h = s.downconv[l](F.pad(h, (0, 1, 0, 1)))
                skips.append(h)
        for b in s.mid:
            h = b(h, temb_act)
        for i, blocks in enumerate(s.up):
            for b in blocks:
                h = b(torch.cat([h, skips.pop()], 1), temb_act)
            if i < len(s.upconv):
                h = s.upconv[i](F.interpolate(h, scale_factor=2, mode="nearest"))
        return s.outconv(F.silu(s.outnorm(h)))


def embedding(k):  # mlp.ts timeEmbedding: sin half, cos half, in float64 as JavaScript computes it
    half = E // 2
    freq = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float64) / half)
    a = k[:, None].double() * freq[None]
    return torch.cat([a.sin(), a.cos()], 1).float()


def engine_parameters(net):
    """(engine name, tensor, engine -> torch layout) for every parameter, in unetParameterShapes order."""
    out = []
    for prefix, m in net.named:
        if isinstance(m, nn.GroupNorm):
            out += [(f"{prefix}.gamma", m.weight, lambda a: a), (f"{prefix}.beta", m.bias, lambda a: a)]
        elif isinstance(m, nn.Linear):  # engine [in, out]
            out += [(f"{prefix}.W", m.weight, lambda a: a.t()), (f"{prefix}.b", m.bias, lambda a: a)]
        else:  # conv, engine [k, k, cin, cout]
            out += [(f"{prefix}.W", m.weight, lambda a: a.permute(3, 2, 0, 1)), (f"{prefix}.b", m.bias, lambda a: a)]
    return out


if FORWARD:
    import json, os
    import numpy as np

    net = Unet()
    manifest = json.load(open(os.path.join(DIR, "weights.json")))
    flat = torch.from_numpy(np.fromfile(os.path.join(DIR, "weights.f32"), dtype="<f4"))
    mine = engine_parameters(net)
    names = [m[0] for m in mine]
    if names != [w["name"] for w in manifest]:
        sys.exit(f"parameter names differ from the engine's: {names} vs {[w['name'] for w in manifest]}")
    at = 0
    with torch.no_grad():
        for (name, p, layout), w in zip(mine, manifest):
            size = math.prod(w["shape"])
            p.copy_(layout(flat[at : at + size].view(*w["shape"])))
            at += size
        steps = torch.tensor(json.load(open(os.path.join(DIR, "steps.json"))))
        x = torch.from_numpy(np.fromfile(os.path.join(DIR, "x.f32"), dtype="<f4"))
        x = x.view(len(steps), SIDE, SIDE, CH).permute(0, 3, 1, 2)
        eps = net(x, embedding(steps)).permute(0, 2, 3, 1).contiguous()
    eps.numpy().astype("<f4").tofile(os.path.join(DIR, "eps.f32"))
    print(f"params={sum(p.numel() for p in net.parameters())} rows={len(steps)}")
    sys.exit(0)

NUM_STEPS = 1000
abar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, NUM_STEPS), 0)
sig = ((1 - abar) / abar).sqrt()  # VE sigma of each teacher step
# Smooth strokes in [-1, 1], as images-bench.ts serves them (not noise, so losses behave).
i = torch.arange(512 * SIDE * SIDE, dtype=torch.float64)
DATA = torch.tanh(3 * torch.sin(i / 9 + (i // (SIDE * SIDE))) * torch.cos(i / 130)).float().view(512, CH, SIDE, SIDE)


def batch():
    return DATA[torch.randint(0, DATA.shape[0], (B,))]


def timed(step):
    step()  # warm-up: allocator and oneDNN primitive setup
    t0 = time.perf_counter()
    for _ in range(STEPS):
        step()
    return (time.perf_counter() - t0) / STEPS * 1000


teacher = Unet()
params = sum(p.numel() for p in teacher.parameters())
opt = torch.optim.Adam(teacher.parameters(), 1e-4)


def teacher_step():
    x0, k = batch(), torch.randint(0, NUM_STEPS, (B,))
    e = torch.randn_like(x0)
    a = abar[k][:, None, None, None]
    loss = F.mse_loss(teacher(a.sqrt() * x0 + (1 - a).sqrt() * e, embedding(k)), e)
    opt.zero_grad()
    loss.backward()
    opt.step()


ms_teacher = timed(teacher_step)
for p in teacher.parameters():
    p.requires_grad_(False)

N, SD = 18, 0.5
SMIN = sig[0].item()
grid = torch.tensor([round(j * (NUM_STEPS - 1) / (N - 1)) for j in range(N)])
col = lambda v: v[:, None, None, None]


def eps_ve(net, x, k):  # denoiser.ts epsilon: net(x / sqrt(1 + sigma^2), k)
    return net(x / col((1 + sig[k] ** 2).sqrt()), embedding(k))


def consistency(net, x, k):  # cSkip x + cOut D(x), with the exact boundary at sigma_min
    s = col(sig[k])
    skip = SD**2 / ((s - SMIN) ** 2 + SD**2)
    return skip * x + (1 - skip) * (x - s * eps_ve(net, x, k))


student = copy.deepcopy(teacher)
for p in student.parameters():
    p.requires_grad_(True)
ema = copy.deepcopy(teacher)
sopt = torch.optim.Adam(student.parameters(), 1e-3)


def cd_step():
    x0, n = batch(), torch.randint(0, N - 1, (B,))
    kh, kl = grid[n + 1], grid[n]
    xh = x0 + col(sig[kh]) * torch.randn_like(x0)
    with torch.no_grad():
        d_sigma = col(sig[kl] - sig[kh])
        slope = eps_ve(teacher, xh, kh)
        x_euler = xh + d_sigma * slope
        xl = xh + d_sigma * 0.5 * (slope + eps_ve(teacher, x_euler, kl))
        target = consistency(student, xl, kl)  # targetEma 0: the target network is the student
    loss = F.mse_loss(consistency(student, xh, kh), target)
    sopt.zero_grad()
    loss.backward()
    sopt.step()
    with torch.no_grad():
        for q, p in zip(ema.parameters(), student.parameters()):
            q.mul_(0.999).add_(p, alpha=0.001)


ms_cd = timed(cd_step)
print(
    f"params={params} batch={B} threads={torch.get_num_threads()} teacher_train={ms_teacher:.1f} cd_heun={ms_cd:.1f}"
)
