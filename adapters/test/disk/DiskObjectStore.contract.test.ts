import { objectStoreContract } from "../../../core/test/contract/ObjectStoreContract.ts"
import { diskStoreLayer } from "./testStore.ts"

objectStoreContract("disk", diskStoreLayer())
