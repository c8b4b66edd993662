import { layerMemory } from "../../src/memory/MemoryObjectStore.ts"
import { objectStoreContract } from "../contract/ObjectStoreContract.ts"

objectStoreContract("memory", layerMemory)
