#!/bin/bash
# A single-node SLURM 22.05 from Debian's packages, on localhost, for the cluster test.
#   tests/cluster/slurm_cluster.sh start DIR   install (apt) if missing, write DIR/slurm.conf, start
#                                                munged, slurmctld and slurmd; print SLURM_CONF=...
#   tests/cluster/slurm_cluster.sh stop DIR    stop the daemons it started (their pid files in DIR)
#                                                and remove its /etc/slurm/slurm.conf link
# No accounting database: jobs are polled with squeue (the profile's status command for such
# clusters). Needs root, as in CI.
set -euo pipefail
action=$1
dir=$(realpath -m "$2")

stop() {
  for daemon in slurmd slurmctld munged; do
    if [ -f "$dir/$daemon.pid" ]; then
      kill "$(cat "$dir/$daemon.pid")" 2>/dev/null || true
      rm -f "$dir/$daemon.pid"
    fi
  done
  if [ "$(readlink /etc/slurm/slurm.conf)" = "$dir/slurm.conf" ]; then
    rm /etc/slurm/slurm.conf
  fi
}

if [ "$action" = stop ]; then
  stop
  exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >&2
fi
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
cat > "$dir/slurm.conf" <<CONF
ClusterName=odfa-test
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=localhost CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=cpu Nodes=localhost Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=localhost MaxTime=INFINITE State=UP
CONF
# Job steps (srun inside a job) read the default path, whatever SLURM_CONF said at submission.
if [ -e /etc/slurm/slurm.conf ] && [ "$(readlink /etc/slurm/slurm.conf)" != "$dir/slurm.conf" ]; then
  echo "/etc/slurm/slurm.conf exists: this machine has a SLURM of its own" >&2
  exit 1
fi
mkdir -p /etc/slurm
ln -sfn "$dir/slurm.conf" /etc/slurm/slurm.conf
if [ ! -f "$dir/munge.key" ]; then
  dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge.key"
fi
munged --key-file="$dir/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge.seed" --force
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF" -N localhost
for _ in $(seq 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qx idle; then
    echo "SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 1
done
echo "the SLURM node did not become idle; see $dir/slurmctld.log and $dir/slurmd.log" >&2
stop
exit 1
