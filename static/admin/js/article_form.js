'use strict';
// The article form (articles/admin/).
{
    // Ctrl+S or Cmd+S saves and keeps the editor on the page, as the first button does,
    // instead of the browser saving the page as a file.
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

    // The pickers (select2) name their combobox after an element that is empty until
    // something is chosen: give them the name of the field they stand for.
    const nameThePickers = () => {
        for (const select of document.querySelectorAll('#article_form select.admin-autocomplete')) {
            const label = select.labels.length ? select.labels[0].textContent : '';
            const name = select.getAttribute('aria-label') || label.replace(/:\s*$/, '').trim();
            const picker = select.nextElementSibling;
            if (!name || !picker || !picker.classList.contains('select2')) {
                continue;
            }
            for (const part of picker.querySelectorAll('[role=combobox], [role=textbox], .select2-search__field')) {
                part.setAttribute('aria-label', name);
            }
        }
    };
    // After Django's autocomplete.js has made them (on load, and on each row added).
    window.addEventListener('load', () => setTimeout(nameThePickers));
    document.addEventListener('formset:added', () => setTimeout(nameThePickers));
    document.addEventListener('focusin', (event) => {
        if (event.target.closest && event.target.closest('.select2')) {
            nameThePickers();
        }
    });
}
