// Just enough Markdown for plugin.json's notes and hints: paragraphs, lists, **bold**, *emphasis*,
// `code` and [links](https://…). The text is escaped first, so a plugin can't inject markup.

function escape(text) {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function inline(text) {
  return escape(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*]+)\*/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
}

/** An element with the Markdown rendered as HTML. */
export function renderMarkdown(source, tag = 'div') {
  const element = document.createElement(tag);
  element.className = 'markdown';
  const blocks = String(source).trim().split(/\n\s*\n/);
  element.innerHTML = blocks.map((block) => {
    const lines = block.split('\n');
    if (lines.every((line) => /^\s*[-*] /.test(line))) {
      return `<ul>${lines.map((line) => `<li>${inline(line.replace(/^\s*[-*] /, ''))}</li>`).join('')}</ul>`;
    }
    const heading = block.match(/^(#{1,4}) (.*)$/);
    if (heading && lines.length === 1) return `<h${heading[1].length + 2}>${inline(heading[2])}</h${heading[1].length + 2}>`;
    return `<p>${lines.map(inline).join('<br>')}</p>`;
  }).join('');
  return element;
}
