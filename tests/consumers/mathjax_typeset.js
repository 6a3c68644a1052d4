// Typesets LaTeX with MathJax 3 (TeX input, SVG output) and reports every error it meets.
// Reads a JSON list of {"id", "latex", "display"} on stdin; prints a JSON list of
// {"id", "errors": [...]} to stdout. An error is MathJax's own message ("Misplaced &",
// "\tag not allowed in aligned environment", "Undefined control sequence \foo").
// Usage: NODE_PATH=<folder holding node_modules> node mathjax_typeset.js < items.json
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {SVG} = require('mathjax-full/js/output/svg.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
const {AllPackages} = require('mathjax-full/js/input/tex/AllPackages.js');

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);

let current = [];
const tex = new TeX({
  packages: AllPackages,
  // Collect errors instead of rendering them in red: the test wants the message.
  formatError: (jax, err) => { current.push(err.message); return jax.formatError(err); },
});
const doc = mathjax.document('', {InputJax: tex, OutputJax: new SVG({fontCache: 'none'})});

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const out = [];
  for (const item of JSON.parse(input)) {
    current = [];
    let svg = '';
    try {
      const node = doc.convert(item.latex, {display: item.display !== false});
      svg = adaptor.outerHTML(node);
    } catch (e) {
      current.push(String(e && e.message ? e.message : e));
    }
    // A merror node in the output is an error even when formatError was not called.
    if (svg.includes('data-mjx-error')) {
      const m = svg.match(/data-mjx-error="([^"]*)"/);
      if (m && !current.includes(m[1])) current.push(m[1]);
    }
    out.push({id: item.id, errors: current});
  }
  process.stdout.write(JSON.stringify(out));
});
