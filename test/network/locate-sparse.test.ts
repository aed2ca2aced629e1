import { locateSuite } from './locate-scenario.ts'

locateSuite(false)
