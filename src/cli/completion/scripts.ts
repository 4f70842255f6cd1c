// `completion bash|zsh|fish`: scripts for the standalone binary. Each asks the binary
// itself (`__complete`, cobra's protocol), so the flag list never goes stale.
import type { VerbDeps } from '../../verbs/options.ts';

const BIN = 'kubectl-kapsule_ha';

const SCRIPTS = {
  bash: `# bash completion for ${BIN}
_kubectl_kapsule_ha() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" out directive
  out=$("\${COMP_WORDS[0]}" __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
  directive=\${out##*:}
  out=$(printf '%s\\n' "$out" | sed '$d' | cut -f1)
  COMPREPLY=($(compgen -W "$out" -- "$cur"))
  if [ \${#COMPREPLY[@]} -eq 0 ] && [ $((directive & 4)) -eq 0 ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _kubectl_kapsule_ha ${BIN}
`,
  zsh: `#compdef ${BIN}
# zsh completion for ${BIN}
_kubectl_kapsule_ha() {
  local -a lines candidates
  lines=("\${(@f)$(\${words[1]} __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  local directive=\${lines[-1]#:}
  candidates=("\${(@)lines[1,-2]}")
  candidates=("\${(@)candidates//:/\\\\:}")
  candidates=("\${(@)candidates//$'\\t'/:}")
  if (( \${#candidates} )); then
    _describe 'kapsule-ha' candidates
  elif (( (directive & 4) == 0 )); then
    _files
  fi
}
compdef _kubectl_kapsule_ha ${BIN}
`,
  fish: `# fish completion for ${BIN}
function __kubectl_kapsule_ha_complete
    set -l args (commandline -opc)
    set -e args[1]
    set -l out (${BIN} __complete $args (commandline -ct) 2>/dev/null)
    printf '%s\\n' $out[1..-2]
end
complete -c ${BIN} -f -a '(__kubectl_kapsule_ha_complete)'
`,
} satisfies Record<string, string>;

/** The shells a script exists for: `completion`'s choices (commands/completion.ts) must be among them. */
export type Shell = keyof typeof SCRIPTS;

export async function run(options: { shell: Shell }, deps: VerbDeps): Promise<number> {
  deps.io.out(SCRIPTS[options.shell]);
  return 0;
}
