/**
 * Hash routing (`#/runs`, `#/new`, `#/run/<id>`, `#/compare?ids=a,b`, `#/teachers?dataset=…`): works the same under
 * the desktop app's custom protocol and under `clab serve`, and every view has a URL that can be shared
 * or reloaded. `parseRoute` is pure (tested); `Router` keeps the current route in a rune.
 */

export type Route =
  | { name: 'runs' }
  | { name: 'new'; from?: string }
  | { name: 'run'; id: string }
  | { name: 'compare'; ids: string[] }
  /** `dataset`: the training form starts on that dataset (the run form's "train a new teacher"). */
  | { name: 'teachers'; dataset?: string }

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '')
  const [pathPart = '', query = ''] = raw.split('?', 2)
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent)
  const params = new URLSearchParams(query)
  switch (parts[0]) {
    case 'new': {
      const from = params.get('from')
      return from ? { name: 'new', from } : { name: 'new' }
    }
    case 'run':
      return parts[1] ? { name: 'run', id: parts[1] } : { name: 'runs' }
    case 'compare':
      return {
        name: 'compare',
        ids: (params.get('ids') ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      }
    case 'teachers': {
      const dataset = params.get('dataset')
      return dataset ? { name: 'teachers', dataset } : { name: 'teachers' }
    }
    default:
      return { name: 'runs' }
  }
}

export function routeHash(route: Route): string {
  switch (route.name) {
    case 'runs':
      return '#/runs'
    case 'new':
      return route.from ? `#/new?from=${encodeURIComponent(route.from)}` : '#/new'
    case 'run':
      return `#/run/${encodeURIComponent(route.id)}`
    case 'compare':
      return `#/compare?ids=${route.ids.map(encodeURIComponent).join(',')}`
    case 'teachers':
      return route.dataset ? `#/teachers?dataset=${encodeURIComponent(route.dataset)}` : '#/teachers'
  }
}

export class Router {
  route = $state<Route>({ name: 'runs' })

  constructor(private readonly win: Pick<Window, 'location' | 'addEventListener'> = window) {
    this.route = parseRoute(win.location.hash)
    win.addEventListener('hashchange', () => {
      this.route = parseRoute(win.location.hash)
    })
  }

  go(route: Route): void {
    const hash = routeHash(route)
    if (this.win.location.hash === hash) this.route = route
    else this.win.location.hash = hash
  }
}

/** The app's router (created by App.svelte; views navigate through it). */
let current: Router | null = null

export function router(): Router {
  current ??= new Router()
  return current
}

export function navigate(route: Route): void {
  router().go(route)
}
