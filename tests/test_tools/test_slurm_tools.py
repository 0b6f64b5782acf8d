"""tools/slurm_test.sh, run through a stand-in ``srun`` on the PATH."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import torch

HERE = osp.dirname(osp.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
from toy_config import REPO, tool_env, write_toy_config  # noqa: E402

SCRIPT = osp.join(REPO, 'tools', 'slurm_test.sh')

# records its arguments, then runs the command after the srun options as the
# only task of the job, with the variables Slurm sets for it
FAKE_SRUN = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$SRUN_LOG"
while [ "$#" -gt 0 ]; do
    case "$1" in
        -p) shift 2 ;;
        -*) shift ;;
        *) break ;;
    esac
done
SLURM_PROCID=0 SLURM_NTASKS=1 SLURM_LOCALID=0 SLURM_NODELIST=localhost \\
exec "$@"
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _slurm_env(tmp_path):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    srun = bin_dir / 'srun'
    srun.write_text(FAKE_SRUN)
    srun.chmod(0o755)
    env = tool_env()
    env.update(PATH=f'{bin_dir}{os.pathsep}{env["PATH"]}',
               SRUN_LOG=str(tmp_path / 'srun_args.txt'), GPUS='1',
               GPUS_PER_NODE='1', SRUN_ARGS='--time=5 --qos=low',
               MASTER_ADDR='127.0.0.1', MASTER_PORT=str(_free_port()))
    return env


def test_the_script_is_valid_bash():
    subprocess.run(['bash', '-n', SCRIPT], check=True)


def test_slurm_test_runs_test_py_with_the_slurm_launcher(tmp_path):
    cfg = write_toy_config(tmp_path)
    checkpoint = str(tmp_path / 'toy.pth')
    torch.save(dict(meta=dict(iter=2), state_dict={
        'linear.weight': torch.zeros(1, 4), 'linear.bias': torch.zeros(1)}),
        checkpoint)
    out = str(tmp_path / 'metrics.json')
    env = _slurm_env(tmp_path)
    proc = subprocess.run(
        ['bash', SCRIPT, 'gpu_part', 'my_job', cfg, checkpoint, '--out', out,
         '--work-dir', 'wd'],
        cwd=str(tmp_path), env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout[-4000:]
    with open(env['SRUN_LOG']) as f:
        srun_args = f.read().splitlines()
    assert srun_args == [
        '-p', 'gpu_part', '--job-name=my_job', '--gres=gpu:1', '--ntasks=1',
        '--ntasks-per-node=1', '--cpus-per-task=5', '--kill-on-bad-exit=1',
        '--time=5', '--qos=low', sys.executable, '-u',
        osp.join(REPO, 'tools', 'test.py'), cfg, checkpoint, '--launcher',
        'slurm', '--out', out, '--work-dir', 'wd']
    assert 'Distributed launcher: slurm' in proc.stdout
    assert 'Distributed training: True' in proc.stdout  # a process group
    with open(out) as f:
        assert json.load(f)['toy/count'] == 4.0


def test_missing_arguments_print_the_usage(tmp_path):
    proc = subprocess.run(['bash', SCRIPT, 'part', 'job', 'cfg.py'],
                          env=_slurm_env(tmp_path), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 2
    assert 'usage:' in proc.stderr and 'CHECKPOINT' in proc.stderr
    assert not (tmp_path / 'srun_args.txt').exists()
