#!/bin/sh
# Pulls every Ollama model the LiteLLM config names (ollama/… and ollama_chat/…), so that the models in use are
# exactly the ones in infra/litellm/litellm_config.yaml. Runs once, in the ollama-pull service.
set -eu
config=${1:-/config/litellm_config.yaml}
models=$(sed -n 's#^[[:space:]]*model:[[:space:]]*ollama\(_chat\)\{0,1\}/\([^[:space:]]*\).*#\2#p' "$config" | sort -u)
[ -n "$models" ] || { echo "no Ollama models in $config"; exit 0; }
for model in $models; do
  echo "pulling $model"
  ollama pull "$model"
done
