'use strict';
// The article form (articles/admin/): Ctrl+S or Cmd+S saves and keeps the editor on the page,
// as the first button does, instead of the browser saving the page as a file.
{
    document.addEventListener('keydown', (event) => {
        if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== 's') {
            return;
        }
        const form = document.getElementById('article_form');
        const save = form && form.querySelector('.submit-row input[name=_continue]');
        if (!save) {
            return;
        }
        event.preventDefault();
        form.requestSubmit(save);
    });
}
