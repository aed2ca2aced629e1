import type { BootedApp } from '../boot.ts'

export function mountViews (root: HTMLElement, app: BootedApp): void {
  root.textContent = `peer ${app.tab.peerId}`
}
