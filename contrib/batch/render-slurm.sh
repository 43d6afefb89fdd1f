#!/bin/sh
# Render a whole round's review packets as a Slurm job array: task K of N
# renders the K-th share (beishen render packet --shard K/N).  Every task
# reads the same database (read-only; copy it to shared storage first) and
# writes its own directory; the union is byte-identical to one run.
#
#   sbatch --array=1-16 contrib/batch/render-slurm.sh /shared/round-115.db /shared/packets
#
#SBATCH --job-name=beishen-packets
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=02:00:00
set -eu
db=$1
out=$2
k=${SLURM_ARRAY_TASK_ID:?run as a job array}
n=${SLURM_ARRAY_TASK_COUNT:?run as a job array}
beishen render packet --db "$db" --all --shard "$k/$n" --jobs "${SLURM_CPUS_PER_TASK:-1}" \
    -o "$out/shard-$k"
