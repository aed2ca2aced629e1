// The web app: a full BETASCO node in this tab, and a dashboard over it.
import './style.css'
import { boot } from './boot.ts'
import { mountViews } from './views/app.ts'

const status = document.getElementById('boot-status')!
const base = new URL('./', location.href).href

boot(base, new URLSearchParams(location.search))
  .then((app) => {
    status.hidden = true
    const ui = mountViews(document.getElementById('app')!, app)
    ;(globalThis as { __betasco?: unknown }).__betasco = { ...app, ui }
  })
  .catch((err: Error) => {
    status.textContent = `The node could not start: ${err.message}`
    status.classList.add('error')
    ;(globalThis as { __betascoError?: string }).__betascoError = err.message
    console.error(err)
  })
