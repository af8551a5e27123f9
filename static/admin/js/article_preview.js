'use strict';
// The live preview beside the article form (articles/admin/live_preview.py): as the editor
// types, the unsaved form is posted (at most one request in flight, a quarter second after the
// last keystroke) and the page that comes back is shown in the frame, at a phone's or a
// desktop's width, scaled to fit. Nothing is saved.
// Form media load in the page's head, before the form and the panel exist.
document.addEventListener('DOMContentLoaded', () => {
    const panel = document.getElementById('desk-preview');
    const form = document.getElementById('article_form');
    if (panel && form) {
        const frame = panel.querySelector('.desk-preview-frame');
        const stage = panel.querySelector('.desk-preview-stage');
        const state = panel.querySelector('.desk-preview-state');
        const token = form.querySelector('[name=csrfmiddlewaretoken]').value;
        const WAIT_MS = 250;
        let width = 375;
        let timer = null;
        let running = null;

        const fit = () => {
            const scale = Math.min(1, stage.clientWidth / width);
            frame.style.width = width + 'px';
            frame.style.height = Math.round(stage.clientHeight / scale) + 'px';
            frame.style.transform = 'scale(' + scale + ')';
        };

        const refresh = async () => {
            const data = new FormData(form);
            data.delete('lead_image_upload'); // the stored picture is shown; no upload per key
            if (running) {
                running.abort();
            }
            const controller = new AbortController();
            running = controller;
            try {
                const response = await fetch(panel.dataset.url, {
                    method: 'POST',
                    body: data,
                    headers: {'X-CSRFToken': token},
                    credentials: 'same-origin',
                    signal: controller.signal,
                });
                const html = await response.text();
                if (!response.ok) {
                    throw new Error('the server answered ' + response.status);
                }
                const view = frame.contentWindow;
                const y = view ? view.scrollY : 0;
                frame.addEventListener('load', () => frame.contentWindow.scrollTo(0, y), {once: true});
                frame.srcdoc = html;
                state.textContent = '';
                panel.dataset.updated = String(Date.now());
            } catch (error) {
                if (error.name !== 'AbortError') {
                    state.textContent = 'Preview not updated: ' + error.message + '.';
                }
            }
        };

        const later = () => {
            clearTimeout(timer);
            timer = setTimeout(refresh, WAIT_MS);
        };

        for (const button of panel.querySelectorAll('[data-width]')) {
            button.addEventListener('click', () => {
                width = Number(button.dataset.width);
                for (const other of panel.querySelectorAll('[data-width]')) {
                    other.setAttribute('aria-pressed', String(other === button));
                }
                fit();
            });
        }
        form.addEventListener('input', later);
        form.addEventListener('change', later);
        // The pickers (select2) announce a choice through jQuery only.
        if (window.django && window.django.jQuery) {
            window.django.jQuery(form).on('change', 'select', later);
        }
        panel.hidden = false;
        document.body.classList.add('desk-previewing');
        new ResizeObserver(fit).observe(stage);
        fit();
        refresh();
    }
});
